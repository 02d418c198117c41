import type { JobData, Stats } from '../protocol/messages.js';
import type { JobState, LateResult, NodeHealth } from '../protocol/view.js';
import type { Expectations } from '../input/job.js';

/** A traffic node the scheduler drives. */
export interface NodeRecord {
  name: string;
  host: string;
  /** Job port (legacy default 1729). */
  port: number;
  /** The node's reflector, HOST:PORT, used when another job targets this node by name. */
  reflector?: string;
  /** Driven over the legacy wire (an old daemon, or --legacy-allow): no session, no key. */
  legacy: boolean;
  health: NodeHealth;
  paused: boolean;
  /** Consecutive failed deliveries. */
  failures: number;
  /** Earliest time (ms) of the next delivery attempt or probe. */
  retryAt: number;
  /** Since when (ms) the node is down; absent while it is not. */
  downSince?: number;
  /** Ordinal of the node in insertion order, for stable listings. */
  seq: number;
}

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
  timeoutS: number;
  /** How many times the job may be re-run after it failed or was lost. */
  retries: number;
  /** What its result must meet (checked when its SUCCESS arrives); absent = none. */
  expect?: Expectations;
  /** Runs so far: a STARTED, or a FAIL that came without one, counts as a run. */
  attempts: number;
  /** Deliveries to the node so far (a delivery the node never started counts here only). */
  sends: number;
  /**
   * The run the job is on, 1 for the first; a re-run after a failed or lost run (its retries) takes
   * the next. Each run goes to the node under an id of its own (wire-id.ts): a node runs an id once.
   */
  run: number;
  state: JobState;
  reason: string;
  stats?: Stats;
  createdAt: number;
  sentAt?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Deadline (ms) for the next status of a sent or running job. */
  deadline?: number;
  /** The result of the last run that came after that run was declared lost; the job stays lost. */
  late?: LateResult;
}

/** The whole scheduler state the core works on. */
export interface SchedulerState {
  nodes: Map<string, NodeRecord>;
  jobs: Map<string, JobRecord>;
  nextSeq: number;
}
