import { pktgen, type Fields } from './wire.js';
import type { JobData, Stats } from './messages.js';

/** A job's place in its life cycle (the proto enum JobState, by lower-case name). */
export type JobState = Lowercase<keyof typeof pktgen.JobState>;
/** Where a node is, as far as the scheduler knows (the proto enum NodeHealth, by lower-case name). */
export type NodeHealth = Lowercase<keyof typeof pktgen.NodeHealth>;

const lowerNames = <T extends string>(values: object): T[] => Object.keys(values).map((name) => name.toLowerCase() as T);

/** Every job state, in the proto's order. */
export const JOB_STATES: readonly JobState[] = lowerNames<JobState>(pktgen.JobState);
/** Every node health, in the proto's order. */
export const NODE_HEALTHS: readonly NodeHealth[] = lowerNames<NodeHealth>(pktgen.NodeHealth);
/** The states a job never leaves. */
export const FINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'lost', 'cancelled'];

/** True once a job reached a final state. */
export const isFinal = (job: { state: JobState }): boolean => FINAL_STATES.includes(job.state);

/** A node as `pktgen status` and the terminal UI show it (the control API's NodeInfo). */
export type NodeInfo = Omit<Fields<pktgen.NodeInfo>, 'health'> & { health: NodeHealth };

/**
 * A SUCCESS or FAIL that came after the scheduler had declared the job's last run lost (the proto's
 * LateResult): kept beside the job, which still counts once, as lost.
 */
export interface LateResult {
  type: 'SUCCESS' | 'FAIL';
  reason: string;
  stats?: Stats;
  /** When it arrived, ms since the epoch. */
  at: number;
}

/** A job as `pktgen status` and the terminal UI show it (the control API's JobInfo). */
export type JobInfo = Omit<Fields<pktgen.JobInfo>, 'state' | 'data' | 'stats' | 'late'> & { state: JobState; data: JobData; stats?: Stats; late?: LateResult };

/** What a view of the scheduler needs at one moment. */
export interface Snapshot {
  nodes: NodeInfo[];
  jobs: JobInfo[];
  /** Jobs matching the query before `limit` cut the list. */
  jobs_total: number;
}
