import type { Job, Stats } from '../protocol/messages.js';

/** The legacy job parameters (PROTOCOL.md), as in jobs.json "data": the wire Job's fields 1-8. */
export type JobData = Pick<Job, 'm' | 't' | 'w' | 'n' | 's_min' | 's_max' | 'r' | 'l'>;

/** Where a node is, as far as the scheduler knows. */
export type NodeHealth = 'unknown' | 'up' | 'down';

/** A traffic node the scheduler drives. */
export interface NodeRecord {
  name: string;
  host: string;
  /** Job port (legacy default 1729). */
  port: number;
  /** The node's reflector, HOST:PORT, used when another job targets this node by name. */
  reflector?: string;
  health: NodeHealth;
  paused: boolean;
  /** Consecutive failed deliveries. */
  failures: number;
  /** Earliest time (ms) of the next delivery attempt or probe. */
  retryAt: number;
  /** Ordinal of the node in insertion order, for stable listings. */
  seq: number;
}

/**
 * Job life cycle (a closed union): pending -> sent -> running -> succeeded | failed | lost,
 * and cancelled from pending, sent or running. `sent` = delivered, no STARTED seen yet.
 */
export type JobState = 'pending' | 'sent' | 'running' | 'succeeded' | 'failed' | 'lost' | 'cancelled';
export const FINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'lost', 'cancelled'];

/** One queued job for one node (a job listed for several nodes is one record per node). */
export interface JobRecord {
  id: string;
  node: string;
  priority: number;
  /** Insertion order: file order within equal priorities. */
  seq: number;
  data: JobData;
  /** Traffic target as given: a node name or HOST:PORT; empty = the node's own default. */
  target: string;
  /** Seconds past w + t before a silent job is declared lost. */
  graceS: number;
  /** How many times the job may be re-run after it failed or was lost. */
  retries: number;
  /** Runs so far: a STARTED, or a FAIL that came without one, counts as a run. */
  attempts: number;
  /** Deliveries to the node so far (a delivery the node never started counts here only). */
  sends: number;
  state: JobState;
  reason: string;
  stats?: Stats;
  createdAt: number;
  sentAt?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Deadline (ms) for the next status of a sent or running job. */
  deadline?: number;
}

/** The whole scheduler state the core works on. */
export interface SchedulerState {
  nodes: Map<string, NodeRecord>;
  jobs: Map<string, JobRecord>;
  nextSeq: number;
}
