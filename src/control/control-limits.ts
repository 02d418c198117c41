// The control API's limits and their defaults, apart from their checks (limits.ts), which load the
// protobuf code: schedule's flags read the defaults for --help, which should not.

/** What one control request may ask, and what the scheduler holds at most: the one definition of each. */
export interface ControlLimits {
  /** Bytes of one encoded request, checked before it is decoded. */
  requestBytes: number;
  /** Jobs one request may queue, counting a job once per node it runs on. */
  jobsPerRequest: number;
  /** Nodes one request may add or update. */
  nodesPerRequest: number;
  /** Jobs not yet finished (queued, sent or running), in all: --max-queued. */
  maxQueued: number;
  /** Jobs not yet finished on one node: --max-queued-per-node. */
  maxQueuedPerNode: number;
  /** Nodes the scheduler knows: --max-nodes. */
  maxNodes: number;
}

/**
 * Sized for a 2-core, 24 GB machine and a scheduler whose benchmark holds 100,000 queued jobs in
 * under 200 MB. Queuing costs ~20 us a job (parse, index, one SQLite transaction) with the event
 * loop held: 10,000 jobs a request holds it ~0.2 s, well inside the 5 s a node waits on a status,
 * and takes ~1 MB of request, so 2 MiB of request leaves room for long file paths. 100,000 queued
 * in all is the benchmarked size (under 200 MB, well under the 300 MB the scheduler must stay
 * below when attacked); 10,000 on one node is three hours of the shortest (1 s) jobs. 2,048 nodes
 * is twice the benchmark's 1,000; a node that is down and has work is probed every 5 s, so even all
 * of them down costs ~400 connections a second. 1,024 nodes a request: a whole lab's nodes file.
 */
export const DEFAULT_CONTROL_LIMITS: ControlLimits = {
  requestBytes: 2 * 1024 * 1024,
  jobsPerRequest: 10_000,
  nodesPerRequest: 1024,
  maxQueued: 100_000,
  maxQueuedPerNode: 10_000,
  maxNodes: 2048,
};
