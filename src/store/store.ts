import type { JobRecord, NodeRecord, SchedulerState } from '../scheduler/types.js';

/** A jobs file the scheduler has loaded, remembered by content hash so it is not queued twice. */
export interface LoadedFile {
  hash: string;
  path: string;
  loadedAt: number;
  jobCount: number;
}

/** One change set: records to upsert (nodes first, then jobs, then files), then jobs to remove. */
export interface Changes {
  nodes?: NodeRecord[];
  jobs?: JobRecord[];
  files?: LoadedFile[];
  removedJobs?: string[];
}

/** A saved row that load() passed over: which table, which key, and why. */
export interface SkippedRow {
  table: 'nodes' | 'jobs' | 'meta';
  key: string;
  why: string;
}

/** Durable scheduler state; every implementation passes test/store/conformance.ts. */
export interface SchedulerStore {
  /**
   * Reads everything back (nodes in seq order, jobs in seq order), and the next seq. A row that
   * cannot be read is passed over, and told to `skipped`; it stays saved as it is.
   */
  load(skipped?: (row: SkippedRow) => void): SchedulerState;
  /** Upserts every record of `changes` in ONE transaction: all or nothing. */
  apply(changes: Changes): void;
  /** A jobs file loaded before, by content hash. */
  findFile(hash: string): LoadedFile | undefined;
  close(): void;
}

/** The next seq once `changes` is applied: seqs only grow, even when the newest job is removed. */
export function nextSeqAfter(current: number, changes: Changes): number {
  let next = current;
  for (const node of changes.nodes ?? []) if (node.seq >= next) next = node.seq + 1;
  for (const job of changes.jobs ?? []) if (job.seq >= next) next = job.seq + 1;
  return next;
}
