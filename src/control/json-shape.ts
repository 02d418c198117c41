import { pktgen, toPlain } from '../protocol/wire.js';
import type { Stats } from '../protocol/messages.js';
import { EXPECT_KEYS, intervalView, liveRxMeasured, statsView, type ExpectationsJson, type IntervalView, type JobInfo, type NodeInfo, type StatsView } from '../protocol/view.js';
import { JOB_DATA_KEYS } from '../input/job.js';
import { isoTime } from '../text.js';
import { formatAddress } from '../transport/address.js';

// The one JSON shape of a node and a job: `status --json`, `status JOB --json`, `submit --wait --json`
// and (flattened, a column per JSON path) `status --csv`. A field added to the proto's NodeInfo,
// JobInfo or Stats shows here by itself; what needs a decision is in the tables below.

/** Stats fields left out: another field says the same (tx_mbps_mean is tx_mbps, averaged over 1-s intervals). */
const STATS_DROPPED: ReadonlySet<string> = new Set(['tx_mbps_mean']);

/** A job's statistics as JSON shows them: unmeasured figures null, one field per figure. */
export type StatsJson = Omit<StatsView, 'tx_mbps_mean'>;

/** A node as JSON shows it: `address` (HOST:PORT) for host and port, `health` for its state, times ISO 8601. */
export type NodeJson = Omit<NodeInfo, 'host' | 'port' | 'down_since'> & { address: string; down_since: string | null };

/** A late result as JSON shows it. */
export interface LateResultJson { type: 'SUCCESS' | 'FAIL'; reason: string; at: string | null; stats?: StatsJson }

/** The time fields of a job, ISO 8601 UTC with milliseconds; null = not yet. */
const JOB_TIMES = ['created_at', 'sent_at', 'started_at', 'finished_at'] as const;

/** A job as JSON shows it: times ISO 8601 (null = not yet), `expect` null when nothing is expected, `stats` null when nothing was measured. */
export type JobJson = Omit<JobInfo, 'stats' | 'late' | 'expect' | 'intervals' | (typeof JOB_TIMES)[number]> & {
  expect: ExpectationsJson | null;
  /** A running job: its newest measured intervals, as its node reported them (absent = none yet). */
  intervals?: IntervalView[];
  stats: StatsJson | null;
  late?: LateResultJson;
} & Record<(typeof JOB_TIMES)[number], string | null>;

/** Statistics for JSON: what was not measured null (statsView), duplicates left out. */
export function statsJson(stats: Stats, data: JobInfo['data']): StatsJson {
  const view = statsView(stats, data) as Record<string, unknown>;
  for (const key of STATS_DROPPED) delete view[key];
  return view as StatsJson;
}

/** A node for JSON output: who and where first, then how it is, then its counts; fields the proto adds come last. */
export function nodeJson(node: NodeInfo): NodeJson {
  const { name, host, port, reflector, legacy, health, down_since, ...rest } = node;
  return { name, address: formatAddress({ host, port }), reflector, legacy, health, down_since: isoTime(down_since), ...rest };
}

/**
 * A job for JSON output: the shape of a job in `status --json` and in `submit --wait --json` alike.
 * What it is, what it asked for and when, then its result; fields the proto adds come before stats.
 */
export function jobJson(job: JobInfo): JobJson {
  const { id, node, state, priority, attempts, target, data, expect, created_at, sent_at, started_at, finished_at, reason, late, stats, intervals, ...rest } = job;
  const json: JobJson = {
    id, node, state, priority, attempts, target, data,
    expect: expect && Object.keys(expect).length > 0 ? expect : null,
    created_at: isoTime(created_at), sent_at: isoTime(sent_at), started_at: isoTime(started_at), finished_at: isoTime(finished_at),
    reason, ...rest,
    ...(intervals ? { intervals: intervalViews(intervals) } : {}),
    stats: stats ? statsJson(stats, data) : null,
  };
  if (late) {
    const { stats: lateStats, at, ...fields } = late;
    json.late = { ...fields, at: isoTime(at), ...(lateStats ? { stats: statsJson(lateStats, data) } : {}) };
  }
  return json;
}

/** A running job's intervals for JSON: whether rx was measured is read once for all of them. */
function intervalViews(intervals: NonNullable<JobInfo['intervals']>): IntervalView[] {
  const rxMeasured = liveRxMeasured(intervals);
  return intervals.map((interval) => intervalView(interval, rxMeasured));
}

/**
 * The stats columns: every Stats field in proto order, a message field one column per field of its
 * own (stats.rtt_us.p99), lists left out (they get rows of their own). Read from the generated code,
 * so a field added to the proto gets its column.
 */
function statsColumns(): string[] {
  // A message field is null until set: set each to an empty message to see its fields, level by level
  // (stats.one_way.fwd_delay_us.p99 is three deep).
  let shape: Record<string, unknown> = {};
  for (;;) {
    const sample = toPlain<pktgen.Stats, Record<string, unknown>>(pktgen.Stats, pktgen.Stats.fromObject(shape));
    const unset = Object.entries(flattenJson(sample)).filter(([, value]) => value === null).map(([path]) => path);
    if (unset.length === 0) {
      return Object.entries(flattenJson(sample, 'stats'))
        .filter(([path, value]) => !Array.isArray(value) && !STATS_DROPPED.has(path.slice('stats.'.length)))
        .map(([path]) => path);
    }
    for (const path of unset) setPath(shape, path.split('.'), {});
    shape = structuredClone(shape);
  }
}

/** Sets `value` at `keys` in `target`, making the objects on the way. */
function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  const [key, ...rest] = keys;
  if (key === undefined) return;
  if (rest.length === 0) target[key] = value;
  else setPath((target[key] ??= {}) as Record<string, unknown>, rest, value);
}

/**
 * The CSV columns of `status --csv`, each named by its JSON path (data.m, stats.rtt_us.p99): one row
 * per job, with its own figures; a late result and lists (e.g. per-interval figures) are JSON only.
 * A top-level job field added later gets a column here.
 */
export const JOB_CSV_COLUMNS: readonly string[] = [
  'id', 'node', 'state', 'priority', 'attempts', 'target',
  // "rate", "size" and "interval" are input only: they travel as m or rate_bps, s_min/s_max or sizes, interval_ms.
  ...JOB_DATA_KEYS.filter((key) => !['rate', 'size', 'interval'].includes(key)).map((key) => `data.${key}`),
  ...EXPECT_KEYS.map((key) => `expect.${key}`),
  ...JOB_TIMES, 'reason',
  ...statsColumns(),
];

/** A JSON value's leaves by path (a.b.c), objects walked, lists and nulls as they are. */
export function flattenJson(value: unknown, prefix = ''): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { [prefix]: value };
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) Object.assign(out, flattenJson(inner, prefix ? `${prefix}.${key}` : key));
  return out;
}

/** A job's CSV cells by column: null and absent are empty, lists JSON text. */
export function jobCsvCells(job: JobInfo): string[] {
  const flat = flattenJson(jobJson(job));
  return JOB_CSV_COLUMNS.map((column) => {
    const value = flat[column];
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
