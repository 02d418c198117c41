import type { JobRecord, NodeRecord, SchedulerState } from '../scheduler/types.js';
import type { SearchRecord } from '../scheduler/search.js';

/**
 * The latest run of a jobs file, by content hash: whether that run is still open decides whether
 * loading the file again resumes it or queues it as the next run.
 */
export interface LoadedFile {
  hash: string;
  path: string;
  loadedAt: number;
  /** Job entries in the file (a job listed for several nodes counts once). */
  jobCount: number;
  /** 1 for the first time the file was queued, then one more each time it is queued again. */
  run: number;
  /** The ids this run queued (one per job and node); absent for a file an older pktgen recorded. */
  jobIds?: string[];
}

/**
 * One change set: records to upsert (nodes first, then jobs, then files), then jobs to remove, then
 * nodes to remove (a removed node's row stays, marked removed, while jobs of it are kept).
 */
export interface Changes {
  nodes?: NodeRecord[];
  jobs?: JobRecord[];
  files?: LoadedFile[];
  /** Throughput searches to upsert (their trials so far). */
  searches?: SearchRecord[];
  removedJobs?: string[];
  removedNodes?: string[];
}

/** A saved row that load() passed over: which table, which key, and why. */
export interface SkippedRow {
  table: 'nodes' | 'jobs' | 'meta' | 'searches';
  key: string;
  why: string;
}

/** Durable scheduler state; every implementation passes test/store/conformance.ts. */
export interface SchedulerStore {
  /**
   * Reads everything back (nodes in seq order, removed ones left out; jobs in seq order), and the
   * next seq. A row that cannot be read is passed over, and told to `skipped`; it stays saved as it is.
   */
  load(skipped?: (row: SkippedRow) => void): SchedulerState;
  /** Upserts every record of `changes` in ONE transaction: all or nothing. */
  apply(changes: Changes): void;
  /** Every saved search, oldest first; a row that cannot be read is passed over and told to `skipped`. */
  loadSearches(skipped?: (row: SkippedRow) => void): SearchRecord[];
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
