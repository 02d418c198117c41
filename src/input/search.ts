import { UserError } from '../errors.js';
import { ERR_INPUT, inputError, isIntegerIn, isObject } from './json.js';
import { JOB_LIMITS, jobError, parseExpectations } from './job.js';
import { checkNodeName, parseTarget } from './endpoints.js';
import { BPS_PER_MBPS, formatBps, parseRateBps } from './rate.js';
import { durationMs } from './duration.js';
import { PERCENT, readAmount } from './units.js';

/**
 * The one definition of a throughput search's input (RFC 2544 section 26.1): its fields, ranges and
 * defaults, in the job schema's error format. `pktgen submit --search`, the control API and the
 * scheduler's store all go through here.
 */

/** The kinds of search there are. */
const SEARCH_KINDS = ['throughput'] as const;

/** Search limits beside the job's (each trial is a job, and JOB_LIMITS bounds it). */
export const SEARCH_LIMITS = {
  /** Frame sizes one search may take (RFC 2544 lists 7 for Ethernet). */
  maxSizes: 16,
  /** Re-runs a trial whose job failed (not for loss) gets before its size is given up. */
  trialRetries: 1,
  /** Default loss limit, percent: RFC 2544's throughput is the highest rate with no loss. */
  defaultMaxLossPct: 0,
  /** Default resolution, percent of the highest rate searched. */
  defaultResolutionPct: 1,
  /**
   * Smallest share of the requested rate a trial must send for its rate to count as offered, percent:
   * a sender's pacing on a busy host falls a few percent short now and then (97 % measured here).
   */
  minSentPct: 95,
} as const;

/** A search as checked. */
export interface SearchSpec {
  kind: (typeof SEARCH_KINDS)[number];
  /** The node that sends every trial. */
  node: string;
  /** Where its traffic goes and is echoed from: a node name (its reflector) or HOST:PORT. */
  target: string;
  /** Frame sizes in bytes, FCS included, searched in this order. */
  sizes: number[];
  /** Measured seconds of each trial. */
  trialS: number;
  /** Warm-up seconds before each trial's measured window. */
  warmupS: number;
  /** Largest round-trip loss a passing trial may show, percent. */
  maxLossPct: number;
  /** The search of a size stops when hi - lo is at most this: a share of the upper bound, or bits/s. */
  resolution: { pct: number } | { bps: number };
  /** Upper bound of the search, frame bits/s; absent: each size first runs a trial as fast as the node can send, and that rate is the bound. */
  maxRateBps?: number;
}

/** Every key a search object may hold. */
const SEARCH_KEYS: readonly string[] = ['kind', 'node', 'target', 'sizes', 'trial', 'warmup', 'max_loss', 'resolution', 'max_rate'];

/** Options of parseSearch. */
export interface ParseSearchOptions {
  /** Node names the search may name. */
  known?: ReadonlySet<string>;
  /** Nodes driven over the legacy wire: they take whole Mbit/s only, so they cannot run a search. */
  legacy?: ReadonlySet<string>;
}

/** Checks a search object ({"kind": "throughput", "node": "m0", "target": "m1", "sizes": [64, 512], ...}) at `where`. */
export function parseSearch(item: unknown, where: string, options: ParseSearchOptions = {}): SearchSpec {
  if (!isObject(item)) throw inputError(where, item, 'expected an object {"kind": "throughput", "node": ..., "target": ..., "sizes": [...]}');
  for (const key of Object.keys(item)) {
    if (!SEARCH_KEYS.includes(key)) throw jobError(where, key, item[key], `only ${SEARCH_KEYS.join(', ')}`);
  }
  const kind = item.kind ?? 'throughput';
  if (!SEARCH_KINDS.includes(kind as SearchSpec['kind'])) throw jobError(where, 'kind', kind, `a search kind: ${SEARCH_KINDS.join(', ')}`);
  const node = checkNodeName(item.node, `${where}: node`, options.known);
  if (item.target === undefined || item.target === null || item.target === '') {
    throw jobError(where, 'target', item.target, 'a node name (its reflector) or HOST:PORT that echoes the traffic: loss is measured from the echoes');
  }
  const target = parseTarget(item.target, `${where}: target`, options.known);
  const sizes = item.sizes;
  const { minFrame, maxFrame } = JOB_LIMITS;
  const sizesExpected = `a list of 1..${SEARCH_LIMITS.maxSizes} different frame sizes ${minFrame}..${maxFrame}, e.g. [64, 512, 1518]`;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > SEARCH_LIMITS.maxSizes
    || !sizes.every((size) => isIntegerIn(size, minFrame, maxFrame)) || new Set(sizes).size !== sizes.length) {
    throw jobError(where, 'sizes', sizes, sizesExpected);
  }
  const trialS = seconds(item.trial, where, 'trial', 1, undefined);
  const warmupS = seconds(item.warmup, where, 'warmup', 0, 0);
  const maxLoss = item.max_loss ?? `${SEARCH_LIMITS.defaultMaxLossPct}%`;
  // The job schema's own check of a loss limit: one definition of "0.1%".
  const maxLossPct = parseExpectations({ max_loss: maxLoss }, where, { m: 0, t: 1, w: 0, n: 1, s_min: minFrame, s_max: 0, r: false, l: false })!.maxLossPct!;
  const spec: SearchSpec = { kind: kind as SearchSpec['kind'], node, target, sizes: sizes as number[], trialS, warmupS, maxLossPct, resolution: resolution(item.resolution, where) };
  if (item.max_rate !== undefined && item.max_rate !== null) {
    const bps = parseRateBps(item.max_rate);
    const cap = JOB_LIMITS.maxRateMbps * BPS_PER_MBPS;
    if (bps === undefined || bps <= 0 || bps > cap) {
      throw jobError(where, 'max_rate', item.max_rate, `a rate above 0 and up to ${JOB_LIMITS.maxRateMbps} Mbit/s of frame bits, e.g. 950M or 10G (leave it out to start each size as fast as the node can send)`);
    }
    spec.maxRateBps = bps;
  }
  if ('bps' in spec.resolution && spec.maxRateBps !== undefined && spec.resolution.bps >= spec.maxRateBps) {
    throw jobError(where, 'resolution', item.resolution, `less than max_rate (${formatBps(spec.maxRateBps)})`);
  }
  if (options.legacy?.has(node)) {
    throw new UserError(`${where}: node ${node}: expected a pktgen node: a search steps its rate in bit/s, and a legacy node takes whole Mbit/s only`, ERR_INPUT);
  }
  return spec;
}

/** A search in its written form, units included: what the store keeps and the control API carries. */
export function searchJson(spec: SearchSpec): Record<string, unknown> {
  const json: Record<string, unknown> = {
    kind: spec.kind, node: spec.node, target: spec.target, sizes: spec.sizes, trial: `${spec.trialS}s`, warmup: `${spec.warmupS}s`,
    max_loss: `${spec.maxLossPct}%`, resolution: 'pct' in spec.resolution ? `${spec.resolution.pct}%` : formatBps(spec.resolution.bps),
  };
  // With units ("1 Gbit/s"): a bare number is Mbit/s. formatBps is exact for whole bits/s below 10^12.
  if (spec.maxRateBps !== undefined) json.max_rate = formatBps(spec.maxRateBps);
  return json;
}

/** Whole seconds, as "10s", "2m" or a bare number of seconds; `fallback` undefined = required. */
function seconds(value: unknown, where: string, key: string, min: number, fallback: number | undefined): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  const expected = `whole seconds ${min}..${JOB_LIMITS.maxDurationS}, e.g. "10s", "1m" or 10`;
  let s = NaN;
  if (typeof value === 'number') s = value;
  else if (typeof value === 'string') s = (durationMs(value, { bareSeconds: true }) ?? NaN) / 1000;
  if (!isIntegerIn(s, min, JOB_LIMITS.maxDurationS)) throw jobError(where, key, value, expected);
  return s;
}

function resolution(value: unknown, where: string): SearchSpec['resolution'] {
  if (value === undefined || value === null) return { pct: SEARCH_LIMITS.defaultResolutionPct };
  const percent = typeof value === 'string' ? readAmount(value, PERCENT) : undefined;
  if (percent) {
    const pct = Number(percent.num) / Number(percent.den);
    if (pct > 0 && pct < 100) return { pct };
  } else {
    const bps = parseRateBps(value);
    if (bps !== undefined && bps > 0) return { bps };
  }
  throw jobError(where, 'resolution', value, 'a share of the highest rate searched above 0% and below 100%, e.g. "1%", or a rate, e.g. "500k"');
}
