import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { JOB_DATA_KEYS, JOB_LIMITS, MAX_RUN_S, type JobSpec, type NodeLimits } from '../../src/input/job.js';
import { isHost, NODE_NAME } from '../../src/input/endpoints.js';
import { formatAddress, parseAddress } from '../../src/transport/address.js';
import { PORTS } from '../../src/protocol/ports.js';
import type { NodeSpec } from '../../src/input/files.js';
import type { JobData } from '../../src/protocol/messages.js';

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
  const field = (key: keyof JobData, min: number, max: number, fallback?: number): number => {
    const value = data[key];
    if (absent(value) && fallback !== undefined) return fallback;
    assert.ok(isInt(value, min, max), `${key} = ${String(value)} accepted, outside ${min}..${max}`);
    return value;
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
    m: field('m', 0, limits.maxRateMbps ?? JOB_LIMITS.maxRateMbps), t: field('t', 1, each), w: field('w', 0, each, 0),
    n: field('n', 0, limits.maxFlows ?? JOB_LIMITS.maxFlows, 1), s_min: sMin, s_max: sMax as number, r: flag('r'), l: flag('l'),
  };
  assert.deepEqual(out, expected, 'the checked data differs from the input');
  if (limits.maxDurationS !== undefined) assert.ok(out.w + out.t <= limits.maxDurationS, 'w + t above --max-duration accepted');
}

/** Asserts that a job a node accepted from the wire is within its limits. */
export function assertWireJobAccepted(data: JobData, out: JobData, limits: NodeLimits): void {
  assertData(data, out, limits);
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
