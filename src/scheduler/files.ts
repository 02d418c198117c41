import { createHash } from 'node:crypto';
import { formatAddress } from '../transport/address.js';
import type { JobData } from './types.js';
import { at, inputError, isIntegerIn, isObject, parseJsonText, readInputFile } from './json-input.js';
import { validateJobData } from './job-data.js';
import { checkNodeName, isHost, parseReflector, parseTarget } from './endpoints.js';

export { validateJobData } from './job-data.js';

// Unknown keys beside "name"/"ip" or beside "nodes"/"data" are ignored (unlike inside "data"):
// a file written for a newer pktgen, or annotated with a "comment", must still load, and none of
// those keys changes what goes on the wire.

export const DEFAULT_NODE_PORT = 1729;
export const DEFAULT_GRACE_S = 30;
const MAX_GRACE_S = 86_400;
const MAX_RETRIES = 100;

/** A node from nodes.json. */
export interface NodeSpec {
  name: string;
  host: string;
  port: number;
  /** HOST:PORT that traffic aimed at this node by name goes to. */
  reflector?: string;
}

/** A job from jobs.json, before it is queued once per node. */
export interface JobSpec {
  nodes: string[];
  priority: number;
  data: JobData;
  /** "" (the node's default target), a node name, or HOST:PORT. */
  target: string;
  graceS: number;
  retries: number;
  /** Position in the file: breaks priority ties. */
  index: number;
}

/** The list under `key` in a file's root object, or an ERR_INPUT naming what is wrong. */
function rootList(text: string, file: string, key: 'nodes' | 'jobs'): unknown[] {
  const shape = `{"${key}": [...]}`;
  const root = parseJsonText(text, file, `a JSON object ${shape}`);
  if (!isObject(root)) throw inputError(`${file}: $`, root, `expected an object ${shape}`);
  const list = root[key];
  if (Array.isArray(list)) return list;
  const other = key === 'jobs' ? 'nodes' : 'jobs';
  const hint = list === undefined && Object.hasOwn(root, other) ? ` (this looks like a ${other} file)` : '';
  throw inputError(at(`${file}: $`, key), list, `expected an array of ${key}${hint}`);
}

function parseNode(item: unknown, where: string): NodeSpec {
  if (!isObject(item)) throw inputError(where, item, 'expected an object {"name": ..., "ip": ...}');
  const { ip, reflector } = item;
  const name = checkNodeName(item.name, at(where, 'name'));
  const port = item.port ?? DEFAULT_NODE_PORT;
  if (typeof ip !== 'string' || !isHost(ip)) throw inputError(at(where, 'ip'), ip, 'expected an IP address or host name');
  if (!isIntegerIn(port, 1, 65535)) throw inputError(at(where, 'port'), port, 'expected a port 1..65535');
  const node: NodeSpec = { name, host: ip, port };
  if (reflector !== undefined && reflector !== null) node.reflector = parseReflector(reflector, ip, at(where, 'reflector'));
  return node;
}

/** Parses nodes.json text; `file` names it in errors. Names and host:port pairs must be unique. */
export function parseNodesFile(text: string, file: string): NodeSpec[] {
  const byName = new Map<string, number>();
  const byAddress = new Map<string, number>();
  return rootList(text, file, 'nodes').map((item, index) => {
    const where = at(`${file}: $.nodes`, index);
    const node = parseNode(item, where);
    const sameName = byName.get(node.name);
    if (sameName !== undefined) throw inputError(at(where, 'name'), node.name, `duplicate node name (first at $.nodes[${sameName}])`);
    // Two entries for one agent would get each other's jobs and statuses.
    const address = formatAddress({ host: node.host.toLowerCase(), port: node.port });
    const sameAddress = byAddress.get(address);
    if (sameAddress !== undefined) {
      throw inputError(at(where, 'ip'), node.host, `duplicate address ${address} (first at $.nodes[${sameAddress}]); give each node its own "port"`);
    }
    byName.set(node.name, index);
    byAddress.set(address, index);
    return node;
  });
}

function parseJob(item: unknown, where: string, index: number, known?: ReadonlySet<string>): JobSpec {
  if (!isObject(item)) throw inputError(where, item, 'expected an object {"nodes": [...], "data": {...}}');
  // An optional field that is null counts as absent: JSON writers often emit null for "not set".
  const nodes = item.nodes;
  const priority = item.priority ?? 0;
  const timeout = item.timeout ?? DEFAULT_GRACE_S;
  const retries = item.retries ?? 0;
  if (!Array.isArray(nodes) || nodes.length === 0) throw inputError(at(where, 'nodes'), nodes, 'expected a non-empty array of node names');
  // A repeated name is kept as written, not refused: no legacy file may fail to load over it.
  const names = nodes.map((name, i) => checkNodeName(name, at(at(where, 'nodes'), i), known));
  if (!isIntegerIn(priority, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
    throw inputError(at(where, 'priority'), priority, 'expected an integer priority (lower runs first)');
  }
  const data = validateJobData(item.data, at(where, 'data'));
  const target = parseTarget(item.target, at(where, 'target'), known);
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_GRACE_S)) {
    throw inputError(at(where, 'timeout'), timeout, `expected seconds of grace past w + t, above 0 and up to ${MAX_GRACE_S}`);
  }
  if (!isIntegerIn(retries, 0, MAX_RETRIES)) throw inputError(at(where, 'retries'), retries, `expected an integer 0..${MAX_RETRIES} (re-runs after a failure or loss)`);
  return { nodes: names, priority, data, target, graceS: timeout, retries, index };
}

/**
 * Parses jobs.json text; `file` names it in errors. When `knownNodes` is given, every node a job
 * names (and a target that is a node name) must be in it.
 */
export function parseJobsFile(text: string, file: string, knownNodes?: ReadonlySet<string>): JobSpec[] {
  return rootList(text, file, 'jobs').map((item, index) => parseJob(item, at(`${file}: $.jobs`, index), index, knownNodes));
}

/** Reads and parses a nodes file. */
export async function readNodesFile(path: string): Promise<NodeSpec[]> {
  return parseNodesFile((await readInputFile(path)).toString('utf8'), path);
}

/** Reads and parses a jobs file; `hash` is the SHA-256 (hex) of its exact bytes. */
export async function readJobsFile(path: string, knownNodes?: ReadonlySet<string>): Promise<{ jobs: JobSpec[]; hash: string; text: string }> {
  const bytes = await readInputFile(path);
  const text = bytes.toString('utf8');
  return { jobs: parseJobsFile(text, path, knownNodes), hash: createHash('sha256').update(bytes).digest('hex'), text };
}
