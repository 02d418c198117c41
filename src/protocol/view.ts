import { pktgen, type Fields } from './wire.js';
import type { JobData, OneWay, Rtt, Stats } from './messages.js';

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

/** A job's expectations as jobs files, `status --json` and the store write them: {"max_loss": "0.1%", ...}. */
export type ExpectationsJson = Partial<Fields<pktgen.Expectations>>;
/** Every key "expect" may hold. */
export const EXPECT_KEYS: readonly (keyof ExpectationsJson)[] = ['max_loss', 'max_rtt_p99', 'min_rate'];

/** A job as `pktgen status` and the terminal UI show it (the control API's JobInfo). */
export type JobInfo = Omit<Fields<pktgen.JobInfo>, 'state' | 'data' | 'stats' | 'late' | 'expect'> & {
  state: JobState; data: JobData; stats?: Stats; late?: LateResult;
  /** What the result must meet, as written ({"max_loss": "0.1%", ...}); absent = nothing. */
  expect?: ExpectationsJson;
};

/** What a view of the scheduler needs at one moment. */
export interface Snapshot {
  nodes: NodeInfo[];
  jobs: JobInfo[];
  /** Jobs matching the query before `limit` cut the list. */
  jobs_total: number;
  /** Set while the scheduler cannot save its state: since when and why. */
  store_error?: string;
}

/** Stats figures that exist only when echoes came back (rx_measured): not measured otherwise. */
const RX_FIGURES = ['rx_packets', 'rx_bytes', 'loss_ratio', 'rx_mbps_mean', 'rx_mpps_mean', 'duplicates', 'reordered'] as const;

type RxFigure = (typeof RX_FIGURES)[number];

/**
 * Stats as people and scripts see them: a figure that was not measured is null, never 0 (the wire
 * cannot tell them apart, so rx_measured and rtt_us say which). rtt_note says why there is no RTT
 * when latency was asked for.
 */
export type StatsView = Omit<Stats, RxFigure | 'rtt_us' | 'one_way'> & { [K in RxFigure]: number | null } & { rtt_us: Rtt | null; one_way: OneWayView | null };

/** One-way figures that exist only once losses were counted (two answers or more). */
const ONE_WAY_COUNTS = ['fwd_sent', 'fwd_received', 'fwd_loss', 'ret_sent', 'ret_received', 'ret_loss', 'reflector_dropped', 'reflector_overflow'] as const;
type OneWayCount = (typeof ONE_WAY_COUNTS)[number];

/** One-way figures as people and scripts see them: what was not measured is null (the note says why). */
export type OneWayView = Omit<OneWay, OneWayCount | 'fwd_jitter_us' | 'ret_jitter_us' | 'fwd_delay_us' | 'ret_delay_us'> &
  { [K in OneWayCount | 'fwd_jitter_us' | 'ret_jitter_us']: number | null } & { fwd_delay_us: Rtt | null; ret_delay_us: Rtt | null };

/** One-way figures with what was not measured as null. */
export function oneWayView(oneWay: OneWay): OneWayView {
  const view = { ...oneWay, fwd_delay_us: oneWay.fwd_delay_us ?? null, ret_delay_us: oneWay.ret_delay_us ?? null } as OneWayView;
  // fwd_sent counts at least the two answered packets whenever losses were counted.
  if (oneWay.fwd_sent === 0) for (const key of ONE_WAY_COUNTS) view[key] = null;
  if (!oneWay.jitter_measured) view.fwd_jitter_us = view.ret_jitter_us = null;
  return view;
}

/** A late result as `--json` shows it: unmeasured figures null, as in the job's own stats. */
export type LateResultView = Omit<LateResult, 'stats'> & { stats?: StatsView };

/** A job as `--json` shows it: stats null when the job measured nothing. */
export type JobView = Omit<JobInfo, 'stats' | 'late'> & { stats: StatsView | null; late?: LateResultView };

/** The stats of a job that asked for `data` (its l: latency), with what was not measured as null. */
export function statsView(stats: Stats, data: Pick<JobData, 'l'>): StatsView {
  const view = { ...stats, rtt_us: stats.rtt_us ?? null, one_way: stats.one_way ? oneWayView(stats.one_way) : null } as StatsView;
  if (!stats.rx_measured) for (const key of RX_FIGURES) view[key] = null;
  // A node older than rtt_note says nothing: the absence is still named.
  if (data.l && !stats.rtt_us && !stats.rtt_note) view.rtt_note = 'latency was asked for, but the node reported no RTT and no reason';
  return view;
}

/** A job for JSON output: unmeasured figures null. */
export function jobView(job: JobInfo): JobView {
  const { late, ...rest } = job;
  const view: JobView = { ...rest, stats: job.stats ? statsView(job.stats, job.data) : null };
  if (late) {
    const { stats, ...fields } = late;
    view.late = stats ? { ...fields, stats: statsView(stats, job.data) } : fields;
  }
  return view;
}
