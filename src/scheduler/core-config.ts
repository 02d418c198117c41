import { exponentialBackoff } from '../transport/backoff.js';

// The core's settings, apart from the core (core.ts), which loads the protobuf code: schedule's
// flags read the defaults for --help, which should not.

/** Retry and failure-detection settings. */
export interface CoreConfig {
  /** Failed deliveries in a row before a node is marked down. */
  failuresBeforeDown: number;
  /** How often a down node is probed (by trying to deliver its next job). */
  probeIntervalMs: number;
  /** Delay before delivery attempt `failures + 1` to a node that is not down yet. */
  backoffMs: (failures: number) => number;
  /** Deliveries a job may get without ever being started before it is declared lost. */
  maxUnstartedSends: number;
  /** After a restart, how long running jobs get at least for a late status. */
  recoveryGraceMs: number;
  /** Finished jobs held (in memory and in the store); beyond it the oldest finished are removed. 0 = none. */
  keepJobs: number;
  /**
   * How long a legacy node's STARTED is waited for after its job already ended (the status port's
   * listeners accept out of order): a STARTED from that node within it is that one, come late.
   */
  legacyReorderMs: number;
  /** How long a finished job is held after it finished; Infinity = no age limit. */
  keepForMs: number;
}

export const DEFAULT_CORE_CONFIG: CoreConfig = {
  failuresBeforeDown: 3,
  probeIntervalMs: 5000,
  backoffMs: exponentialBackoff(250, 5000),
  maxUnstartedSends: 3,
  recoveryGraceMs: 15_000,
  keepJobs: 10_000,
  keepForMs: Infinity,
  legacyReorderMs: 5000,
};
