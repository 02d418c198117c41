import { pktgen, type Fields } from './wire.js';
import type { Interval, JobData, OneWay, Rtt, Stats } from './messages.js';
import { isoTime } from '../text.js';
import type { JOB_STATE_NAMES } from './job-states.js';

/** A job's place in its life cycle (the proto enum JobState, by lower-case name). */
export type JobState = Lowercase<keyof typeof pktgen.JobState>;
/** Where a node is, as far as the scheduler knows (the proto enum NodeHealth, by lower-case name). */
export type NodeHealth = Lowercase<keyof typeof pktgen.NodeHealth>;

const lowerNames = <T extends string>(values: object): T[] => Object.keys(values).map((name) => name.toLowerCase() as T);

/** Every job state, in the proto's order. */
export const JOB_STATES: readonly JobState[] = lowerNames<JobState>(pktgen.JobState);
// JOB_STATE_NAMES mirrors the enum without loading it: this fails to type-check when they differ
// (test/protocol checks the order).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateNamesMatchEnum: Same<(typeof JOB_STATE_NAMES)[number], JobState> = true;
void stateNamesMatchEnum;
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

/** Each expectation in a short line: the figure it bounds and how. */
const EXPECT_SHORT: Record<keyof ExpectationsJson, string> = { max_loss: 'loss<=', max_rtt_p99: 'p99<=', min_rate: 'rate>=' };

/** A job's expectations in one short line for tables, e.g. `loss<=0.1% p99<=500us`; '' when none. */
export function expectText(expect: ExpectationsJson | undefined): string {
  return EXPECT_KEYS.filter((key) => expect?.[key]).map((key) => `${EXPECT_SHORT[key]}${expect![key]}`).join(' ');
}

/** A job as `pktgen status` and the terminal UI show it (the control API's JobInfo). */
export type JobInfo = Omit<Fields<pktgen.JobInfo>, 'state' | 'data' | 'stats' | 'late' | 'expect' | 'intervals' | 'search'> & {
  state: JobState; data: JobData; stats?: Stats; late?: LateResult;
  /** A running job: its newest measured intervals, as its node reported them (absent = none yet). */
  intervals?: Interval[];
  /** The throughput search this job is a trial of; absent = none. */
  search?: string;
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
export type StatsView = Omit<Stats, RxFigure | 'rtt_us' | 'intervals' | 'one_way'> & { [K in RxFigure]: number | null } & { rtt_us: Rtt | null; intervals?: IntervalView[]; one_way: OneWayView | null };

/** One-way figures that exist only once losses were counted (two answers or more). */
const ONE_WAY_COUNTS = ['fwd_sent', 'fwd_received', 'fwd_loss', 'ret_sent', 'ret_received', 'ret_loss', 'reflector_dropped', 'reflector_overflow'] as const;
type OneWayCount = (typeof ONE_WAY_COUNTS)[number];

/** One-way figures as people and scripts see them: what was not measured is null (the note says why). */
export type OneWayView = Omit<OneWay, OneWayCount | 'fwd_jitter_us' | 'ret_jitter_us' | 'fwd_delay_us' | 'ret_delay_us'> &
  { [K in OneWayCount | 'fwd_jitter_us' | 'ret_jitter_us']: number | null } & { fwd_delay_us: Rtt | null; ret_delay_us: Rtt | null };

/** One-way figures with what was not measured as null. */
function oneWayView(oneWay: OneWay): OneWayView {
  const view = { ...oneWay, fwd_delay_us: oneWay.fwd_delay_us ?? null, ret_delay_us: oneWay.ret_delay_us ?? null } as OneWayView;
  // fwd_sent counts at least the two answered packets whenever losses were counted.
  if (oneWay.fwd_sent === 0) for (const key of ONE_WAY_COUNTS) view[key] = null;
  if (!oneWay.jitter_measured) view.fwd_jitter_us = view.ret_jitter_us = null;
  return view;
}

/**
 * One measured interval as `--json` shows it: its start in ISO 8601, rx figures null when no echo
 * was measured, rtt_us null when no echo in it carried a timestamp.
 */
export interface IntervalView {
  index: number;
  start: string | null;
  duration_s: number;
  tx_packets: number;
  tx_bytes: number;
  tx_mbps: number;
  tx_mpps: number;
  rx_packets: number | null;
  rx_bytes: number | null;
  loss_ratio: number | null;
  rtt_us: { p50: number; p99: number; samples: number } | null;
}

/** An interval for JSON output; `rxMeasured`: whether the job measured echoes at all. */
export function intervalView(interval: Interval, rxMeasured: boolean): IntervalView {
  return {
    index: interval.index, start: isoTime(interval.start_ms), duration_s: interval.duration_s,
    tx_packets: interval.tx_packets, tx_bytes: interval.tx_bytes, tx_mbps: interval.tx_mbps, tx_mpps: interval.tx_mpps,
    rx_packets: rxMeasured ? interval.rx_packets : null, rx_bytes: rxMeasured ? interval.rx_bytes : null,
    loss_ratio: rxMeasured ? interval.loss_ratio : null,
    rtt_us: interval.rtt_samples > 0 ? { p50: interval.rtt_p50_us, p99: interval.rtt_p99_us, samples: interval.rtt_samples } : null,
  };
}

/** Live intervals (a running job's) measured echoes when any echo came back in them. */
export const liveRxMeasured = (intervals: readonly Interval[]): boolean => intervals.some((interval) => interval.rx_packets > 0);

/** The stats of a job that asked for `data` (its l: latency), with what was not measured as null. */
export function statsView(stats: Stats, data: Pick<JobData, 'l'>): StatsView {
  const { intervals, ...rest } = stats;
  const view = { ...rest, rtt_us: stats.rtt_us ?? null, one_way: stats.one_way ? oneWayView(stats.one_way) : null } as StatsView;
  if (!stats.rx_measured) for (const key of RX_FIGURES) view[key] = null;
  if (intervals) view.intervals = intervals.map((interval) => intervalView(interval, stats.rx_measured));
  // A node older than rtt_note says nothing: the absence is still named.
  if (data.l && !stats.rtt_us && !stats.rtt_note) view.rtt_note = 'latency was asked for, but the node reported no RTT and no reason';
  return view;
}
