// The agreed job limits, apart from the job schema (job.ts), which loads the protobuf code: the
// command flags read them for --help, which should not.

/** The job field ranges every pktgen peer agrees on (a node may be started with lower ones). */
export const JOB_LIMITS = {
  /** Smallest and largest frame, bytes, Ethernet frame including FCS (RFC 2544). */
  minFrame: 64,
  maxFrame: 9000,
  maxRateMbps: 100_000,
  maxDurationS: 3600,
  maxFlows: 1024,
  /** Sending threads (the helper's --threads range). */
  maxThreads: 64,
  /** Seconds of grace past w + t before a silent job counts as lost. */
  defaultTimeoutS: 30,
  maxTimeoutS: 86_400,
  maxRetries: 100,
  /** Most frame sizes in one mix ("size": "64:7,594:4,1518:1"), and the largest sum of their weights. */
  maxSizes: 16,
  maxSizeWeightTotal: 10_000,
  /** A result's measured intervals, ms: the default (iperf3's), the shortest and the longest. */
  defaultIntervalMs: 1000,
  minIntervalMs: 100,
  maxIntervalMs: 60_000,
  /**
   * Measured intervals one job may ask for (t over the interval, rounded up): an interval is ~100
   * bytes on the wire, so a result stays near 360 KiB, well under the 1 MiB frame; the default 1 s
   * interval fits every allowed t (up to 3600 s).
   */
  maxIntervals: 3600,
} as const;

/** The longest w + t the agreed limits allow: a node's --max-duration default. */
export const MAX_RUN_S = 2 * JOB_LIMITS.maxDurationS;
