/** The job field ranges every pktgen peer agrees on (a node may be started with lower ones). */
export const JOB_LIMITS = {
  /** Smallest and largest frame, bytes, Ethernet frame including FCS (RFC 2544). */
  minFrame: 64,
  maxFrame: 9000,
  maxRateMbps: 100_000,
  maxDurationS: 3600,
  maxFlows: 1024,
} as const;
