import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import {
  JOB_DATA_KEYS, JOB_LIMITS, MAX_RUN_S, checkWireJob, expectationsJson, parseExpectations, type Expectations, type JobSpec, type NodeLimits,
} from '../../src/input/job.js';
import { EXPECT_KEYS } from '../../src/protocol/view.js';
import { isHost, NODE_NAME } from '../../src/input/endpoints.js';
import { formatAddress, parseAddress } from '../../src/transport/address.js';
import { PORTS } from '../../src/protocol/ports.js';
import type { NodeSpec } from '../../src/input/files.js';
import { decodeJob, encodeJob, type JobData } from '../../src/protocol/messages.js';

/**
 * The input schema (README "Job fields", "pktgen schedule"), restated to judge what a loader
 * accepted: each assert* throws when the loader took an input the schema forbids, or returned
 * something else than the input says. Limits, the node-name and host rules come from their one
 * definition in src/; the shape and ranges of each field are checked here again.
 */

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** The identity of a host for "same address": case, a final dot and IPv6 spelling do not count. */
export function hostKey(host: string): string {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(name) !== 6 || name.includes('%')) return name;
  return new URL(`http://[${name}]/`).hostname;
}

function assertData(data: unknown, out: JobData, limits: NodeLimits = {}): void {
  assert.ok(isObj(data), 'data is not an object');
  for (const key of Object.keys(data)) assert.ok(JOB_DATA_KEYS.includes(key), `unknown data key ${JSON.stringify(key)} accepted`);
  const each = Math.min(limits.maxDurationS ?? MAX_RUN_S, JOB_LIMITS.maxDurationS);
  const field = (key: 't' | 'w' | 'n' | 's_min', min: number, max: number, fallback?: number): number => {
    const value = data[key];
    if (absent(value) && fallback !== undefined) return fallback;
    assert.ok(isInt(value, min, max), `${key} = ${String(value)} accepted, outside ${min}..${max}`);
    return value === 0 ? 0 : value; // a JSON -0 is 0
  };
  const flag = (key: 'r' | 'l'): boolean => {
    const value = data[key] ?? false;
    assert.ok(typeof value === 'boolean' || value === 0 || value === 1, `${key} = ${String(value)} accepted`);
    return value === true || value === 1;
  };
  const sMin = field('s_min', JOB_LIMITS.minFrame, JOB_LIMITS.maxFrame);
  const sMax = data.s_max ?? 0;
  assert.ok(sMax === 0 || isInt(sMax, sMin, JOB_LIMITS.maxFrame), `s_max = ${String(sMax)} accepted with s_min ${sMin}`);
  const expected: JobData = {
    ...expectedRate(data, limits, Math.max(sMin, sMax as number)), t: field('t', 1, each), w: field('w', 0, each, 0),
    n: field('n', 0, limits.maxFlows ?? JOB_LIMITS.maxFlows, 1), s_min: sMin, s_max: sMax as number, r: flag('r'), l: flag('l'),
  };
  assert.deepEqual(out, expected, 'the checked data differs from the input');
  if (limits.maxDurationS !== undefined) assert.ok(out.w + out.t <= limits.maxDurationS, 'w + t above --max-duration accepted');
  // What goes on the wire: the node decodes the same rate and, checking it, the same job.
  const wire = decodeJob(encodeJob({ ...out, id: 'fuzz' }));
  assert.deepEqual([wire.m, wire.rate_bps, wire.pps], [out.m, out.rate_bps ?? 0, out.pps ?? 0], 'the rate on the wire differs from the job');
  // A field at -0 (a JSON "-0") means 0, and the wire has no -0: compared as JSON, where -0 is 0.
  const asJson = (job: JobData): unknown => JSON.parse(JSON.stringify(job));
  assert.deepEqual(asJson(checkWireJob(wire, limits)), asJson(out), 'the node reads the job from the wire otherwise');
}

/** The README's rate forms: "1.5" (Mbit/s), "500k", "2.5M", "10G"; "bit/s" or "bps" may follow k, M or G. */
const RATE_TEXT = /^(\d+)(?:\.(\d+))?\s*(?:([kmg])(?:bit\/s|bps)?)?$/i;
const UNIT_ZEROS: Record<string, number> = { '': 6, k: 3, m: 6, g: 9 };

/** A "rate" as bits per second, worked out with text and BigInt; undefined when it is not one. */
function rateBps(value: unknown): number | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) && value >= 0 ? String(value) : '') : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : RATE_TEXT.exec(text);
  if (!match) return undefined;
  const zeros = UNIT_ZEROS[(match[3] ?? '').toLowerCase()]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  // Below one bit per second is not a rate.
  if (fraction.length > zeros) return undefined;
  const bps = BigInt(match[1]! + fraction.padEnd(zeros, '0'));
  return bps <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bps) : undefined;
}

/**
 * The rate fields a job's data must come out with: exactly one of m, rate, pps or rate_bps given,
 * within the cap (pps counted at the largest frame); a whole Mbit/s travels as m, any other rate
 * as rate_bps, a packet rate as pps.
 */
function expectedRate(data: Record<string, unknown>, limits: NodeLimits, largestFrame: number): Pick<JobData, 'm' | 'rate_bps' | 'pps'> {
  const given = ['m', 'rate', 'pps', 'rate_bps'].filter((key) => !absent(data[key]));
  assert.equal(given.length, 1, `a job giving the rate as ${given.join(' and ') || 'nothing'} accepted`);
  const capMbps = limits.maxRateMbps ?? JOB_LIMITS.maxRateMbps;
  const value = data[given[0]!];
  switch (given[0]) {
    case 'm':
      assert.ok(isInt(value, 0, capMbps), `m = ${String(value)} accepted`);
      return { m: value === 0 ? 0 : value }; // a JSON -0 is 0
    case 'pps':
      assert.ok(isInt(value, 1, Math.floor((capMbps * 1e6) / (8 * largestFrame))), `pps = ${String(value)} accepted with frames up to ${largestFrame} bytes, cap ${capMbps} Mbit/s`);
      return { m: 0, pps: value };
    default: {
      const bps = given[0] === 'rate' ? rateBps(value) : isInt(value, 1, Number.MAX_SAFE_INTEGER) ? value : undefined;
      assert.ok(bps !== undefined && bps <= capMbps * 1e6, `${given[0]} = ${JSON.stringify(value)} accepted, cap ${capMbps} Mbit/s`);
      return bps % 1e6 === 0 ? { m: bps / 1e6 } : { m: 0, rate_bps: bps };
    }
  }
}

/** Asserts that a job a node accepted from the wire is within its limits. */
export function assertWireJobAccepted(data: JobData, out: JobData, limits: NodeLimits): void {
  // On the wire 0 is "not set": rate_bps and pps at 0, and m = 0 beside either of them.
  const input: Record<string, unknown> = { ...data };
  for (const key of ['rate_bps', 'pps'] as const) if (input[key] === 0) delete input[key];
  if (input.m === 0 && (input.rate_bps !== undefined || input.pps !== undefined)) delete input.m;
  assertData(input, out, limits);
}

const PERCENT_TEXT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;
const RTT_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)\s*$/;
const RTT_US: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1e6 };

/**
 * Asserts the "expect" a job was accepted with (README "Expectations"): an object of max_loss and
 * min_rate (0%..100% with the % sign, or 0) and max_rtt_p99 (above 0 up to 60 s with us, ms or s,
 * latency measured), min_rate only on a job that requests a rate; and that its written form reads
 * back the same.
 */
function assertExpect(value: unknown, out: JobSpec): void {
  if (absent(value)) return assert.equal(out.expect, undefined, 'an expectation appeared');
  assert.ok(isObj(value), `expect = ${JSON.stringify(value)} accepted`);
  for (const key of Object.keys(value)) assert.ok((EXPECT_KEYS as readonly string[]).includes(key), `unknown expectation ${JSON.stringify(key)} accepted`);
  const percent = (key: string): number | undefined => {
    const raw = value[key];
    if (absent(raw)) return undefined;
    const match = typeof raw === 'string' ? PERCENT_TEXT.exec(raw) : null;
    const pct = raw === 0 || raw === '0' ? 0 : match ? Number(match[1]) : NaN;
    assert.ok(pct >= 0 && pct <= 100, `${key} = ${JSON.stringify(raw)} accepted`);
    return pct;
  };
  const expected: Expectations = {};
  const maxLoss = percent('max_loss');
  if (maxLoss !== undefined) expected.maxLossPct = maxLoss;
  if (!absent(value.max_rtt_p99)) {
    const match = typeof value.max_rtt_p99 === 'string' ? RTT_TEXT.exec(value.max_rtt_p99) : null;
    const us = match ? Math.round(Number(match[1]) * RTT_US[match[2]!]! * 1000) / 1000 : NaN;
    assert.ok(us > 0 && us <= 60e6, `max_rtt_p99 = ${JSON.stringify(value.max_rtt_p99)} accepted`);
    assert.ok(out.data.l, 'max_rtt_p99 accepted on a job that does not measure latency');
    expected.maxRttP99Us = us;
  }
  const minRate = percent('min_rate');
  if (minRate !== undefined) {
    assert.ok(out.data.m > 0 || (out.data.rate_bps ?? 0) > 0 || (out.data.pps ?? 0) > 0, 'min_rate accepted on a job that requests no rate');
    expected.minRatePct = minRate;
  }
  assert.deepEqual(out.expect, Object.keys(expected).length > 0 ? expected : undefined, 'the checked expectations differ from the input');
  // Written back (as status shows it and a jobs file takes it), they read the same.
  if (out.expect) assert.deepEqual(parseExpectations(expectationsJson(out.expect), 'job', out.data), out.expect, 'the expectations do not survive their written form');
}

function assertTarget(target: unknown, out: string, known?: ReadonlySet<string>): void {
  if (absent(target) || target === '') return assert.equal(out, '', 'an empty target became a value');
  assert.equal(typeof target, 'string', 'a target that is not a string accepted');
  const text = target as string;
  if (text.includes(':') || text.startsWith('[')) {
    const address = parseAddress(text);
    assert.ok(isHost(address.host), `target host ${address.host} accepted`);
    return assert.equal(out, formatAddress(address));
  }
  assert.ok(NODE_NAME.test(text) && isIP(text) === 0, `target ${text} accepted`);
  if (known) assert.ok(known.has(text), `unknown target node ${text} accepted`);
  assert.equal(out, text);
}

/** Asserts that a job object parseJob accepted conforms, and that `out` is what it says. */
export function assertJobAccepted(item: unknown, out: JobSpec, options: { known?: ReadonlySet<string>; allNodes?: boolean } = {}): void {
  assert.ok(isObj(item), 'a job that is not an object accepted');
  const { known } = options;
  if (options.allNodes && absent(item.nodes)) {
    assert.deepEqual(out.nodes, [...(known ?? [])], 'all_nodes did not take every known node');
  } else {
    assert.ok(Array.isArray(item.nodes), 'nodes is not an array');
    assert.deepEqual(out.nodes, item.nodes, 'nodes changed');
  }
  assert.ok(out.nodes.length > 0, 'a job with no nodes accepted');
  for (const name of out.nodes) {
    assert.ok(typeof name === 'string' && NODE_NAME.test(name), `node name ${String(name)} accepted`);
    if (known) assert.ok(known.has(name), `unknown node ${name} accepted`);
  }
  const priority = item.priority ?? 0;
  assert.ok(Number.isSafeInteger(priority), `priority = ${String(priority)} accepted`);
  assert.equal(out.priority, priority);
  assertData(item.data, out.data);
  assertTarget(item.target, out.target, known);
  const timeout = item.timeout ?? JOB_LIMITS.defaultTimeoutS;
  assert.ok(typeof timeout === 'number' && timeout > 0 && timeout <= JOB_LIMITS.maxTimeoutS, `timeout = ${String(timeout)} accepted`);
  assert.equal(out.timeoutS, timeout);
  const retries = item.retries ?? 0;
  assert.ok(isInt(retries, 0, JOB_LIMITS.maxRetries), `retries = ${String(retries)} accepted`);
  assert.equal(out.retries, retries);
  assertExpect(item.expect, out);
}

/** Asserts that the nodes a nodes file gave conform, one for each entry, with no two alike. */
export function assertNodesAccepted(root: unknown, out: NodeSpec[]): void {
  assert.ok(isObj(root) && Array.isArray(root.nodes), 'a root that is not {"nodes": [...]} accepted');
  assert.equal(out.length, root.nodes.length, 'entries were dropped or added');
  const names = new Set<string>();
  const addresses = new Set<string>();
  root.nodes.forEach((item: unknown, i) => {
    const node = out[i]!;
    assert.ok(isObj(item), `node ${i} is not an object`);
    assert.ok(typeof item.name === 'string' && NODE_NAME.test(item.name), `name ${String(item.name)} accepted`);
    assert.ok(typeof item.ip === 'string' && isHost(item.ip), `ip ${String(item.ip)} accepted`);
    const port = item.port ?? PORTS.node;
    assert.ok(isInt(port, 1, 65535), `port ${String(port)} accepted`);
    assert.deepEqual({ name: node.name, host: node.host, port: node.port }, { name: item.name, host: item.ip, port });
    assert.ok(!names.has(node.name), `duplicate name ${node.name} accepted`);
    const key = `${hostKey(node.host)} ${node.port}`;
    assert.ok(!addresses.has(key), `duplicate address ${node.host} port ${node.port} accepted`);
    names.add(node.name);
    addresses.add(key);
    if (absent(item.reflector)) assert.equal(node.reflector, undefined, 'a reflector appeared');
    else {
      const reflector = parseAddress(node.reflector ?? '');
      assert.ok(isHost(reflector.host) && isInt(reflector.port, 1, 65535), `reflector ${String(item.reflector)} accepted`);
      if (typeof item.reflector === 'number') assert.equal(node.reflector, formatAddress({ host: item.ip, port: item.reflector }));
    }
    assert.ok(absent(item.legacy) || typeof item.legacy === 'boolean', `legacy = ${String(item.legacy)} accepted`);
    assert.equal(node.legacy, item.legacy === true ? true : undefined);
  });
}
