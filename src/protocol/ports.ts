/** The ports of the pktgen protocol; each is defined here only. */
export const PORTS = {
  /** A node takes jobs here (legacy). */
  node: 1729,
  /** A node's reflector echoes test packets here (UDP). */
  reflect: 1730,
  /** A scheduler takes statuses here (legacy). */
  status: 1800,
  /** A scheduler's control API (pktgen submit / status). */
  control: 1801,
} as const;
