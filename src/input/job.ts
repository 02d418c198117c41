import type { JobData, SizeWeight } from '../protocol/messages.js';
import { EXPECT_KEYS, type ExpectationsJson } from '../protocol/view.js';
import { ERR_INPUT, inputError, isIntegerIn, isObject, quoted, type JsonObject } from './json.js';
import { UserError } from '../errors.js';
import { checkNodeName, parseTarget } from './endpoints.js';
import { BPS_PER_MBPS, formatBps, parseRateBps, requestedMbps } from './rate.js';
import { formatSizeMix, parseSizeText } from './sizes.js';
import { PERCENT, RATE, RTT, expectedAmount, readAmount, roundedUnits } from './units.js';
import { durationMs, durationQuantity } from './duration.js';
import { JOB_LIMITS, MAX_RUN_S } from './job-limits.js';

export { JOB_LIMITS, MAX_RUN_S } from './job-limits.js';

/**
 * The one definition of a job's input: its fields, their ranges and defaults, and the one error
 * format `<where>: <field> = <value>: expected <what>`. Jobs files, `pktgen submit`, the terminal
 * UI, the control API and the node's own check all go through here.
 */


/**
 * The limits a node's operator set (`serve --max-rate`, `--max-duration`, `--max-flows`,
 * `--max-threads`); one left
 * unset is the agreed limit. A set rate cap holds for m = 0 too: the node then sends "as fast as
 * allowed", paced at the cap, instead of unpaced. Refusals name the node's flag.
 */
export interface NodeLimits {
  maxRateMbps?: number;
  /** Largest warm-up + measured time, w + t, seconds. */
  maxDurationS?: number;
  maxFlows?: number;
  maxThreads?: number;
}

/** A node started without limits: the agreed ones, and m = 0 unpaced. */
export const DEFAULT_NODE_LIMITS: NodeLimits = {};


/** A job as checked: the nodes it runs on and how, before it is queued once per node. */
export interface JobSpec {
  nodes: string[];
  /** Lower runs first; equal priorities run in the order given. */
  priority: number;
  data: JobData;
  /** "" (the node's default target), a node name, or HOST:PORT. */
  target: string;
  /** Seconds of grace past w + t before a silent job counts as lost. */
  timeoutS: number;
  /** Re-runs after a failure or a loss. */
  retries: number;
  /** What the result must meet, or the job ends failed (the scheduler checks it; nodes never see it). */
  expect?: Expectations;
}

/**
 * A job's expectations (its "expect" object), as checked: each one absent when not asked for.
 * A missed expectation fails the job; one on a figure the run did not measure fails it too.
 */
export interface Expectations {
  /** Largest round-trip loss, percent of the packets sent. */
  maxLossPct?: number;
  /** Largest RTT p99, microseconds. */
  maxRttP99Us?: number;
  /** Smallest achieved send rate, percent of the requested rate. */
  minRatePct?: number;
}


interface IntegerRule {
  min: number;
  max: number;
  expected: string;
  /** The value when the field is absent; absent = required when undefined. */
  fallback?: number;
}

const { minFrame, maxFrame } = JOB_LIMITS;

/** How the rate's other forms are checked under some limits. */
interface RateRule {
  /** Highest rate, Mbit/s. */
  capMbps: number;
  /** ", this node's --max-rate" when a node set the cap, else "". */
  capNote: string;
}

type JobRules = Record<'m' | 't' | 'w' | 'n' | 's_min' | 'pps' | 'threads', IntegerRule> & { rate: RateRule };

/** The data fields' rules under `limits`. */
function integerRules(limits: NodeLimits): JobRules {
  const rate = limits.maxRateMbps ?? JOB_LIMITS.maxRateMbps;
  const flows = limits.maxFlows ?? JOB_LIMITS.maxFlows;
  const threads = limits.maxThreads ?? JOB_LIMITS.maxThreads;
  const each = Math.min(limits.maxDurationS ?? MAX_RUN_S, JOB_LIMITS.maxDurationS);
  const node = (flag: string, set: boolean): string => (set ? `, this node's ${flag}` : '');
  const mine = node('--max-duration', each < JOB_LIMITS.maxDurationS);
  // Most frames per second: the largest rate in the smallest frames.
  const pps = Math.floor(rate * BPS_PER_MBPS / (8 * minFrame));
  return {
    m: limits.maxRateMbps === undefined
      ? { min: 0, max: rate, expected: `an integer rate 0..${rate} Mbit/s (0 = as fast as possible)` }
      : { min: 0, max: rate, expected: `an integer rate 0..${rate} Mbit/s${node('--max-rate', true)} (0 = as fast as allowed: ${rate} Mbit/s)` },
    t: { min: 1, max: each, expected: `an integer duration 1..${each} s${mine}` },
    w: { min: 0, max: each, expected: `an integer warm-up 0..${each} s${mine}`, fallback: 0 },
    n: { min: 0, max: flows, expected: `an integer flow count 0..${flows}${node('--max-flows', limits.maxFlows !== undefined)} (0 = 1 flow)`, fallback: 1 },
    s_min: { min: minFrame, max: maxFrame, expected: `an integer frame size ${minFrame}..${maxFrame}` },
    pps: { min: 1, max: pps, expected: `an integer packet rate 1..${pps} frames/s${node('--max-rate', limits.maxRateMbps !== undefined)}` },
    rate: { capMbps: rate, capNote: node('--max-rate', limits.maxRateMbps !== undefined) },
    threads: { min: 1, max: threads, expected: `an integer thread count 1..${threads}${node('--max-threads', limits.maxThreads !== undefined)}`, fallback: 1 },
  };
}

const AGREED_RULES = integerRules(DEFAULT_NODE_LIMITS);

/** Every key "data" may hold, in wire order. */
export const JOB_DATA_KEYS: readonly string[] = ['m', 't', 'w', 'n', 's_min', 's_max', 'r', 'l', 'rate', 'pps', 'rate_bps', 'threads', 'interval', 'interval_ms', 'size', 'sizes'];
/** The keys that each give the rate, in the order a message names them; a job gives exactly one. */
const RATE_KEYS = ['m', 'rate', 'pps', 'rate_bps'] as const;
/** Every key a job may hold beside "data". */
const JOB_KEYS: readonly string[] = ['nodes', 'priority', 'target', 'timeout', 'retries', 'expect'];


/** The one-line error about `field` of the job at `where`. */
export function jobError(where: string, name: string, value: unknown, expected: string) {
  return inputError(field(where, name), value, `expected ${expected}`);
}

/** `where: name`, the name quoted when it is not a plain identifier (a stray key in a file). */
function field(where: string, name: string): string {
  const shown = /^[A-Za-z_$][\w$]*$/.test(name) ? name : quoted(name);
  return where ? `${where}: ${shown}` : shown;
}

/**
 * Checks a job's "data" object and fills defaults; `where` names the job. Unknown keys are
 * rejected: "data" becomes the wire message, and a typo such as "s_mx" would otherwise silently
 * send different traffic. An optional field that is null counts as absent: JSON writers often
 * emit null for "not set".
 */
export function validateJobData(data: unknown, where: string, rules = AGREED_RULES): JobData {
  if (!isObject(data)) return fail(jobError(where, 'data', data, 'an object {"m": ..., "t": ..., "s_min": ...}'));
  for (const key of Object.keys(data)) {
    if (!JOB_DATA_KEYS.includes(key)) throw inputError(field(where, key), data[key], unknownKeyProblem(key));
  }
  const integer = (key: Exclude<keyof JobRules, 'rate'>): number => {
    const rule: IntegerRule = rules[key];
    const value = data[key];
    if ((value === undefined || value === null) && rule.fallback !== undefined) return rule.fallback;
    if (!isIntegerIn(value, rule.min, rule.max)) throw jobError(where, key, value, rule.expected);
    return value === 0 ? 0 : value; // JSON's -0 is 0 (protobuf would carry -0 on as 0, but not every check compares it so)
  };
  const given = RATE_KEYS.filter((key) => data[key] !== undefined && data[key] !== null);
  if (given.length > 1) {
    throw jobError(where, given[1]!, data[given[1]!], `one rate only: "${given[0]}" is given too (give one of "m", "rate" or "pps")`);
  }
  const rateKey = given[0] ?? 'm';
  const [t, w, n] = [integer('t'), integer('w'), integer('n')];
  const sizes = frameSizes(data, where, () => integer('s_min'));
  const rate = rateKey === 'm' ? { m: integer('m') } : otherRate(data, where, rateKey, rules, Math.max(sizes.s_min, sizes.s_max));
  const threads = integer('threads');
  // Flows are split between the threads, none shared: each thread needs one at least.
  const flows = Math.max(n, 1);
  if (threads > flows) throw jobError(where, 'threads', threads, `at most ${flows} thread${flows === 1 ? '' : 's'}, one per flow ("n" = ${n}): each thread sends its own flows`);
  const intervalMs = interval(data, where, t);
  return {
    ...rate, t, w, n, ...sizes, r: boolean(data, where, 'r'), l: boolean(data, where, 'l'),
    // Present only when not the default: a one-thread job, a legacy node, and a job file written before, read the same.
    ...(threads > 1 ? { threads } : {}),
    ...(intervalMs === JOB_LIMITS.defaultIntervalMs ? {} : { interval_ms: intervalMs }),
  };
}

/** The keys that each give the frame sizes ("s_max" goes with "s_min"). */
const SIZE_KEYS = ['s_min', 's_max', 'size', 'sizes'] as const;

/**
 * The frame sizes given as "s_min"/"s_max" (legacy), "size" (64, "64-1518", "imix" or
 * "64:7,594:4,1518:1") or the wire's "sizes" list. A mix of one size is that size, which every
 * node can send; a real mix carries its smallest and largest size in s_min and s_max too.
 */
function frameSizes(data: JsonObject, where: string, sMinField: () => number): Pick<JobData, 's_min' | 's_max' | 'sizes'> {
  const present = SIZE_KEYS.filter((key) => data[key] !== undefined && data[key] !== null);
  // s_min and s_max are one way of giving the sizes: only the first of them counts here.
  const given = present.filter((key, i) => !(key === 's_max' && present[i - 1] === 's_min'));
  if (given.length > 1) {
    throw jobError(where, given[1]!, data[given[1]!], `one size only: "${given[0]}" is given too (give "size", or "s_min" and "s_max")`);
  }
  if (given[0] === 'size') return sizeText(data.size, where);
  if (given[0] === 'sizes') return sizeMix(data.sizes, where, 'sizes', (entries) => entries);
  // s_min, or s_max alone (then s_min is missing, and says so).
  const sMin = sMinField();
  const sMax = data.s_max ?? 0;
  if (sMax !== 0 && !isIntegerIn(sMax, sMin, maxFrame)) {
    throw jobError(where, 's_max', sMax, `0 (= s_min) or an integer frame size ${sMin}..${maxFrame}`);
  }
  return { s_min: sMin, s_max: sMax as number };
}

/**
 * The job's result interval in ms, given as "interval" ("500ms", "2s") or the wire's "interval_ms"
 * (an integer), within the limits and at most JOB_LIMITS.maxIntervals measured intervals of t.
 */
function interval(data: JsonObject, where: string, t: number): number {
  const { defaultIntervalMs, minIntervalMs, maxIntervalMs, maxIntervals } = JOB_LIMITS;
  const given = (['interval', 'interval_ms'] as const).filter((key) => data[key] !== undefined && data[key] !== null);
  if (given.length > 1) throw jobError(where, 'interval_ms', data.interval_ms, 'one interval only: "interval" is given too');
  const key = given[0];
  if (key === undefined) return defaultIntervalMs;
  const value = data[key];
  const ms = key === 'interval' ? (typeof value === 'string' ? durationMs(value, { ms: true }) : undefined) : isIntegerIn(value, 0, maxIntervalMs) ? value : undefined;
  if (ms === undefined || ms < minIntervalMs || ms > maxIntervalMs) {
    const expected = key === 'interval'
      ? expectedAmount(`an interval ${minIntervalMs}ms..${maxIntervalMs / 1000}s`, durationQuantity({ ms: true }))
      : `an integer ${minIntervalMs}..${maxIntervalMs} ms`;
    throw jobError(where, key, value, expected);
  }
  if (Math.ceil((t * 1000) / ms) > maxIntervals) {
    const shortest = Math.ceil((t * 1000) / maxIntervals);
    throw jobError(where, key, value, `at most ${maxIntervals} intervals of the ${t} s measured: an interval of ${shortest}ms or more`);
  }
  return ms;
}

const SIZE_FORMS = `a frame size ${minFrame}..${maxFrame} ("64"), a range ("64-1518"), "imix" or a weighted mix ("64:7,594:4,1518:1")`;

/** "size" as written: a number, a range, "imix" or a weighted list. */
function sizeText(value: unknown, where: string): Pick<JobData, 's_min' | 's_max' | 'sizes'> {
  const parsed = typeof value === 'string' ? parseSizeText(value) : isIntegerIn(value, 0, maxFrame * 10) ? { range: [value, value] as [number, number] } : undefined;
  if (!parsed) throw jobError(where, 'size', value, SIZE_FORMS);
  if ('mix' in parsed) return sizeMix(parsed.mix, where, 'size', () => value);
  const [min, max] = parsed.range;
  if (!isIntegerIn(min, minFrame, maxFrame) || !isIntegerIn(max, min, maxFrame)) {
    throw jobError(where, 'size', value, `frame sizes ${minFrame}..${maxFrame}, MIN before MAX: ${SIZE_FORMS}`);
  }
  return { s_min: min, s_max: max === min ? 0 : max };
}

/**
 * A mix, checked: every size a frame size, every weight 1 or more, no size twice, at most
 * JOB_LIMITS.maxSizes entries weighing JOB_LIMITS.maxSizeWeightTotal in all. `shown` gives the value
 * errors name (the text as written, or the list).
 */
function sizeMix(value: unknown, where: string, key: 'size' | 'sizes', shown: (entries: unknown) => unknown): Pick<JobData, 's_min' | 's_max' | 'sizes'> {
  const { maxSizes, maxSizeWeightTotal } = JOB_LIMITS;
  // Typed as a whole: a call to it then ends the path for the type checker.
  const refuse: (what: string) => never = (what) => {
    throw jobError(where, key, shown(value), what);
  };
  if (!Array.isArray(value) || value.length === 0) refuse(key === 'sizes' ? 'a list of {"size": BYTES, "weight": N}' : SIZE_FORMS);
  const entries = value as unknown[];
  if (entries.length > maxSizes) refuse(`at most ${maxSizes} frame sizes in a mix (${entries.length} given)`);
  const mix: SizeWeight[] = [];
  for (const entry of entries) {
    const { size, weight } = isObject(entry) ? entry : ({} as JsonObject);
    if (!isIntegerIn(size, minFrame, maxFrame)) refuse(`frame sizes ${minFrame}..${maxFrame} in a mix (${showEntry(size)} is not)`);
    if (!isIntegerIn(weight, 1, maxSizeWeightTotal)) refuse(`an integer weight 1..${maxSizeWeightTotal} for each size (${size}:${showEntry(weight)} is not)`);
    if (mix.some((e) => e.size === size)) refuse(`each frame size once in a mix (${size} is given twice)`);
    mix.push({ size, weight });
  }
  const total = mix.reduce((sum, e) => sum + e.weight, 0);
  if (total > maxSizeWeightTotal) refuse(`weights adding up to at most ${maxSizeWeightTotal} (these add up to ${total})`);
  // One size is no mix: s_min alone says it, so a legacy node can run it too.
  if (mix.length === 1) return { s_min: mix[0]!.size, s_max: 0 };
  const sizes = mix.map((e) => e.size);
  return { s_min: Math.min(...sizes), s_max: Math.max(...sizes), sizes: mix };
}

const showEntry = (value: unknown): string => (typeof value === 'string' ? quoted(value) : String(value));

/**
 * The rate given as "rate" (e.g. "2.5M"), "pps" or the wire's "rate_bps", in wire form: a whole
 * Mbit/s travels as the legacy "m", so any node can run it; anything else as rate_bps or pps.
 */
function otherRate(data: JsonObject, where: string, key: 'rate' | 'pps' | 'rate_bps', rules: JobRules, largestFrame: number): Pick<JobData, 'm' | 'rate_bps' | 'pps'> {
  const { capMbps, capNote } = rules.rate;
  const value = data[key];
  if (key === 'pps') {
    const rule = rules.pps;
    if (!isIntegerIn(value, rule.min, rule.max)) throw jobError(where, key, value, rule.expected);
    // The cap is on bits: counted at the largest frame, a packet rate cannot walk around it.
    const most = Math.floor(capMbps * BPS_PER_MBPS / (8 * largestFrame));
    if (value > most) throw jobError(where, key, value, `at most ${most} frames/s of ${largestFrame} bytes (${capMbps} Mbit/s${capNote})`);
    return { m: 0, pps: value };
  }
  const bps = key === 'rate' ? parseRateBps(value) : isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER) ? value : undefined;
  if (bps === undefined || bps > capMbps * BPS_PER_MBPS) {
    const expected = key === 'rate'
      ? expectedAmount(`a rate of frame bits/s up to ${capMbps} Mbit/s${capNote}`, RATE, `0 = as fast as ${capNote ? 'allowed' : 'possible'}`)
      : `an integer rate 1..${capMbps * BPS_PER_MBPS} bit/s${capNote}`;
    throw jobError(where, key, value, expected);
  }
  return bps % BPS_PER_MBPS === 0 ? { m: bps / BPS_PER_MBPS } : { m: 0, rate_bps: bps };
}

/**
 * Job data already in wire form (a decoded Job, a stored job) as input: m = 0 beside rate_bps or
 * pps is the wire's "not set", not a second rate; rate_bps and pps at 0 are not set either.
 */
function wireFormInput(data: Record<string, unknown>): Record<string, unknown> {
  const input = { ...data };
  for (const key of ['rate_bps', 'pps', 'threads', 'interval_ms']) if (input[key] === 0) delete input[key];
  if (input.m === 0 && (input.rate_bps !== undefined || input.pps !== undefined)) delete input.m;
  // An empty mix is the wire's "not set"; beside a mix, s_min and s_max are its bounds, not a second size.
  if (Array.isArray(input.sizes) && input.sizes.length === 0) delete input.sizes;
  if (input.sizes !== undefined) {
    delete input.s_min;
    delete input.s_max;
  }
  return input;
}

/** Checks job data stored in wire form (the scheduler's store) with the agreed rules. */
export function validateStoredJobData(data: unknown): JobData {
  return validateJobData(isObject(data) ? wireFormInput(data) : data, '');
}

/** The node's own check of a job it received: the same rules and messages, under its own limits. */
export function checkWireJob(job: JobData, limits: NodeLimits): JobData {
  // Field by field: a decoded message holds the fields at their default on its prototype only.
  const data = wireFormInput(Object.fromEntries(JOB_DATA_KEYS.map((key) => [key, job[key as keyof JobData]])));
  const checked = validateJobData(data, '', integerRules(limits));
  // The warm-up is traffic too: a node's --max-duration bounds how long a job sends, w + t.
  if (limits.maxDurationS !== undefined && checked.w + checked.t > limits.maxDurationS) {
    throw inputError('w + t', checked.w + checked.t, `expected at most ${limits.maxDurationS} s of warm-up and measured time, this node's --max-duration`);
  }
  return checked;
}

/** Options of parseJob. */
export interface ParseJobOptions {
  /** Node names a job may name; unknown names are refused when given. */
  known?: ReadonlySet<string>;
  /** Run on every known node (the control API's all_nodes): "nodes" may be left out. */
  allNodes?: boolean;
  /** Nodes driven over the legacy wire: a rate they cannot express is refused for them. */
  legacy?: ReadonlySet<string>;
}

/**
 * Why a legacy node cannot run a job, or undefined when it can. A legacy node knows only the
 * integer "m" and would read a rate_bps or pps job as m = 0, "as fast as possible": such a job is
 * refused for it, never rounded. It sends on one thread: a job asking for more is refused too.
 */
export function legacyRateRefusal(data: JobData, node: string): string | undefined {
  if (data.threads && data.threads > 1) return `node ${node}: threads = ${data.threads}: expected 1, a legacy node sends on one thread`;
  if (!data.rate_bps && !data.pps) return undefined;
  const shown = data.pps ? `pps = ${data.pps}` : `rate = ${quoted(formatBps(data.rate_bps!))}`;
  return `node ${node}: ${shown}: expected a whole Mbit/s ("m"), the only rate a legacy node takes`;
}

/**
 * Why a legacy node cannot run a job's frame sizes, or undefined when it can: it knows only the
 * uniform range [s_min, s_max] and would send that instead of the mix.
 */
function legacySizeRefusal(data: JobData, node: string): string | undefined {
  if (!data.sizes?.length) return undefined;
  return `node ${node}: size = ${quoted(formatSizeMix(data.sizes))}: expected one size or a range ("s_min"/"s_max"), the only sizes a legacy node takes`;
}

/**
 * Why a legacy node cannot run a job with this interval, or undefined when it can: a legacy daemon
 * reports no intervals, so only the default (which then simply yields none) may go to one.
 */
export function legacyIntervalRefusal(data: JobData, node: string): string | undefined {
  if (!data.interval_ms || data.interval_ms === JOB_LIMITS.defaultIntervalMs) return undefined;
  return `node ${node}: interval_ms = ${data.interval_ms}: expected the default interval (${JOB_LIMITS.defaultIntervalMs} ms): a legacy node reports no intervals`;
}

/** Why a legacy node cannot run a job (its rate or threads, interval or frame sizes), or undefined when it can. */
export function legacyRefusal(data: JobData, node: string): string | undefined {
  return legacyRateRefusal(data, node) ?? legacyIntervalRefusal(data, node) ?? legacySizeRefusal(data, node);
}

/** Checks one job object (as in jobs.json) at `where` and fills its defaults. */
export function parseJob(item: unknown, where: string, options: ParseJobOptions = {}): JobSpec {
  const { known } = options;
  if (!isObject(item)) return fail(inputError(where, item, 'expected an object {"nodes": [...], "data": {...}}'));
  // An optional field that is null counts as absent: JSON writers often emit null for "not set".
  const nodes = options.allNodes && (item.nodes === undefined || item.nodes === null) ? [...(known ?? [])] : item.nodes;
  const priority = item.priority ?? 0;
  const timeout = item.timeout ?? JOB_LIMITS.defaultTimeoutS;
  const retries = item.retries ?? 0;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    return fail(jobError(where, 'nodes', nodes, options.allNodes ? 'a node to run on (no nodes are known)' : 'a non-empty array of node names'));
  }
  // A repeated name is kept as written, not refused: no legacy file may fail to load over it.
  const names = nodes.map((name, i) => checkNodeName(name, `${where}: nodes[${i}]`, known));
  if (!isIntegerIn(priority, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
    throw jobError(where, 'priority', priority, 'an integer priority (lower runs first)');
  }
  const data = validateJobData(item.data, where);
  for (const name of names) {
    const refusal = options.legacy?.has(name) ? legacyRefusal(data, name) : undefined;
    if (refusal) throw new UserError(where ? `${where}: ${refusal}` : refusal, ERR_INPUT);
  }
  const target = parseTarget(item.target, `${where}: target`, known);
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= JOB_LIMITS.maxTimeoutS)) {
    throw jobError(where, 'timeout', timeout, `seconds of grace past w + t, above 0 and up to ${JOB_LIMITS.maxTimeoutS}`);
  }
  if (!isIntegerIn(retries, 0, JOB_LIMITS.maxRetries)) {
    throw jobError(where, 'retries', retries, `an integer 0..${JOB_LIMITS.maxRetries} (re-runs after a failure or loss)`);
  }
  const expect = parseExpectations(item.expect, where, data);
  return expect ? { nodes: names, priority, data, target, timeoutS: timeout, retries, expect } : { nodes: names, priority, data, target, timeoutS: timeout, retries };
}

/** The largest RTT an expectation may name: 60 s, far beyond any echo the node waits for. */
const MAX_RTT_US = 60_000_000;

/**
 * Checks a job's "expect" object (absent or null: none) against its data; `where` names the job.
 * Percentages take a % sign ("0.1%"; a bare 0 is 0 % too), RTTs a unit, us, ms or s ("500us").
 * An expectation the job cannot measure is refused here: an RTT without latency (l), a share of the
 * requested rate without one (m = 0). Nodes never see it: it stays with the scheduler.
 */
export function parseExpectations(value: unknown, where: string, data: JobData): Expectations | undefined {
  if (value === undefined || value === null) return undefined;
  const name = (key: string): string => (where ? `${where}: expect.${key}` : `expect.${key}`);
  if (!isObject(value)) throw jobError(where, 'expect', value, `an object {"max_loss": "0.1%", "max_rtt_p99": "500us", "min_rate": "99%"}`);
  for (const key of Object.keys(value)) {
    if (!(EXPECT_KEYS as readonly string[]).includes(key)) {
      const guess = EXPECT_KEYS.find((known) => looksLike(key, known));
      throw inputError(/^[A-Za-z_$][\w$]*$/.test(key) ? name(key) : `${where ? `${where}: ` : ''}expect[${quoted(key)}]`, value[key],
        `unknown expectation${guess ? ` (did you mean "${guess}"?)` : ''}; expected only ${EXPECT_KEYS.join(', ')}`);
    }
  }
  const percent = (key: 'max_loss' | 'min_rate', max: number, what: string, example: string): number | undefined => {
    const raw = value[key];
    if (raw === undefined || raw === null) return undefined;
    // 0 needs no unit: nothing is 0 in one unit and not in another.
    const amount = typeof raw === 'string' ? readAmount(raw, PERCENT) : undefined;
    const pct = raw === 0 || raw === '0' ? 0 : amount ? Number(amount.decimal) : NaN;
    if (!(pct >= 0 && pct <= max)) throw inputError(name(key), raw, `expected ${expectedAmount(what, { ...PERCENT, examples: example })}`);
    return pct;
  };
  const expect: Expectations = {};
  const maxLoss = percent('max_loss', 100, 'a loss 0%..100%', '0.1%');
  if (maxLoss !== undefined) expect.maxLossPct = maxLoss;
  const rtt = value.max_rtt_p99;
  if (rtt !== undefined && rtt !== null) {
    const amount = typeof rtt === 'string' ? readAmount(rtt, RTT) : undefined;
    // Read exactly and rounded to a nanosecond: "0.3ms" is 300 us, not 300.00000000000006.
    const us = amount ? Number(roundedUnits(amount)) / 1000 : NaN;
    if (!(us > 0 && us <= MAX_RTT_US)) throw inputError(name('max_rtt_p99'), rtt, `expected ${expectedAmount('an RTT above 0 and up to 60s', RTT)}`);
    if (!data.l) throw inputError(name('max_rtt_p99'), rtt, 'expected latency to be measured: set "l": true in "data" (submit --latency)');
    expect.maxRttP99Us = us;
  }
  const minRate = percent('min_rate', 100, 'a share 0%..100% of the requested rate', '99%');
  if (minRate !== undefined) {
    if (requestedMbps(data) === 0) throw inputError(name('min_rate'), value.min_rate, 'expected a requested rate: "m" above 0 (m = 0 sends as fast as possible, which requests no rate)');
    expect.minRatePct = minRate;
  }
  return Object.keys(expect).length > 0 ? expect : undefined;
}

/** Expectations in their written form, units included: what jobs files take and `status` shows. */
export function expectationsJson(expect: Expectations): ExpectationsJson {
  const json: ExpectationsJson = {};
  if (expect.maxLossPct !== undefined) json.max_loss = `${expect.maxLossPct}%`;
  if (expect.maxRttP99Us !== undefined) json.max_rtt_p99 = `${expect.maxRttP99Us}us`;
  if (expect.minRatePct !== undefined) json.min_rate = `${expect.minRatePct}%`;
  return json;
}

const fail = (error: Error): never => {
  throw error;
};

function boolean(data: JsonObject, where: string, key: 'r' | 'l'): boolean {
  const value = data[key] ?? false;
  // Python protobuf bool fields take 0 and 1 too, so a legacy file may carry them.
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== 'boolean') throw jobError(where, key, value, 'true or false');
  return value;
}

function unknownKeyProblem(key: string): string {
  if (JOB_KEYS.includes(key)) return `"${key}" belongs in the job, next to "data", not inside it`;
  const guess = JOB_DATA_KEYS.find((known) => looksLike(key, known));
  return `unknown field${guess ? ` (did you mean "${guess}"?)` : ''}; expected only ${JOB_DATA_KEYS.join(', ')}`;
}

/** A likely typo: same letters ignoring case and separators, or one edit apart (both 3+ chars). */
function looksLike(typed: string, known: string): boolean {
  const bare = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (bare(typed) === bare(known)) return true;
  if (typed.length < 3 || known.length < 3 || Math.abs(typed.length - known.length) > 1) return false;
  const [short, long] = typed.length <= known.length ? [typed, known] : [known, typed];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  if (short.length < long.length) return short.slice(i) === long.slice(i + 1);
  // Same length: one substitution, or two neighbours swapped.
  return short.slice(i + 1) === long.slice(i + 1) || (short[i] === long[i + 1] && short[i + 1] === long[i] && short.slice(i + 2) === long.slice(i + 2));
}
