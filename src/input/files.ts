import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { formatAddress, parseAddress } from '../transport/address.js';
import { PORTS } from '../protocol/ports.js';
import { at, inputError, isIntegerIn, isObject, parseJsonText, readInputFile } from './json.js';
import { parseJob, type JobSpec } from './job.js';
import { checkNodeName, isHost, nodeAddressKey, parseReflector } from './endpoints.js';

// Unknown keys beside "name"/"ip" or beside "nodes"/"data" are ignored (unlike inside "data"):
// a file written for a newer pktgen, or annotated with a "comment", must still load, and none of
// those keys changes what goes on the wire.


/** A node from nodes.json. */
export interface NodeSpec {
  name: string;
  host: string;
  port: number;
  /** HOST:PORT that traffic aimed at this node by name goes to. */
  reflector?: string;
  /** An old daemon: driven over the unauthenticated legacy wire (the scheduler's --legacy-allow decides too). */
  legacy?: boolean;
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
  const port = item.port ?? PORTS.node;
  if (typeof ip !== 'string' || !isHost(ip)) throw inputError(at(where, 'ip'), ip, 'expected an IP address or host name');
  if (!isIntegerIn(port, 1, 65535)) throw inputError(at(where, 'port'), port, 'expected a port 1..65535');
  const node: NodeSpec = { name, host: ip, port };
  if (reflector !== undefined && reflector !== null) node.reflector = parseReflector(reflector, ip, at(where, 'reflector'));
  if (item.legacy !== undefined && item.legacy !== null) {
    if (typeof item.legacy !== 'boolean') throw inputError(at(where, 'legacy'), item.legacy, 'expected true (an old daemon, driven over the legacy wire) or false');
    if (item.legacy) node.legacy = true;
  }
  return node;
}

/**
 * Parses nodes.json text; `file` names it in errors. Names must be unique, and so must addresses,
 * compared by nodeAddressKey (127.0.0.1 and localhost are one host): the scheduler compares them
 * resolved too, and against the nodes it already has.
 */
export function parseNodesFile(text: string, file: string): NodeSpec[] {
  const byName = new Map<string, number>();
  const byAddress = new Map<string, { index: number; node: NodeSpec }>();
  return rootList(text, file, 'nodes').map((item, index) => {
    const where = at(`${file}: $.nodes`, index);
    const node = parseNode(item, where);
    const sameName = byName.get(node.name);
    if (sameName !== undefined) throw inputError(at(where, 'name'), node.name, `duplicate node name (first at $.nodes[${sameName}])`);
    // Two entries for one agent would get each other's jobs and statuses.
    const address = nodeAddressKey(node.host, node.port);
    const first = byAddress.get(address);
    if (first) {
      const theirs = formatAddress(first.node);
      throw inputError(where, formatAddress(node), `already the address of node ${first.node.name} ($.nodes[${first.index}]${theirs === formatAddress(node) ? '' : `: ${theirs}`}); give node ${node.name} its own "port" (or "ip")`);
    }
    byName.set(node.name, index);
    byAddress.set(address, { index, node });
    return node;
  });
}

const ADD_NODE_USAGE = 'expected NAME=HOST[:PORT][,reflector=HOST:PORT], e.g. m2=127.0.0.1:1733,reflector=127.0.0.1:1734';

/**
 * Parses `--add-node NAME=HOST[:PORT][,reflector=HOST:PORT]` (schedule, submit) with the checks of a
 * nodes.json entry: the same name, host, port and reflector rules (a reflector may be a port alone,
 * on the node's own host), and the same node port by default.
 */
export function parseAddNode(text: string): NodeSpec {
  const eq = text.indexOf('=');
  if (eq <= 0) throw inputError('--add-node', text, ADD_NODE_USAGE);
  const name = checkNodeName(text.slice(0, eq), '--add-node NAME');
  const where = `--add-node ${name}`;
  const [addressText = '', ...options] = text.slice(eq + 1).split(',');
  let address;
  try {
    address = parseAddress(addressText, PORTS.node, where);
  } catch (error) {
    // parseAddress says `WHERE "TEXT": REASON, expected HOST:PORT`; keep REASON only.
    const reason = error instanceof UserError ? error.message.replace(/^.*?": /, '').replace(/, expected .*$/, '') : '';
    throw error instanceof UserError ? inputError(where, text.slice(eq + 1), `${ADD_NODE_USAGE} (${reason})`) : error;
  }
  if (!isHost(address.host)) throw inputError(`${where} HOST`, address.host, 'expected an IP address or host name');
  const node: NodeSpec = { name, host: address.host, port: address.port };
  for (const option of options) {
    const [key, value] = [option.slice(0, option.indexOf('=')), option.slice(option.indexOf('=') + 1)];
    if (key !== 'reflector' || node.reflector !== undefined) throw inputError(where, option, ADD_NODE_USAGE);
    node.reflector = parseReflector(value, node.host, `${where} reflector`);
  }
  return node;
}

/** A job object of a jobs file and the location its errors name (`jobs.json: $.jobs[3]`). */
export interface JobEntry {
  where: string;
  item: unknown;
}

/** The job objects of jobs.json text, unchecked: `pktgen submit` sends them as written. */
export function jobEntries(text: string, file: string): JobEntry[] {
  return rootList(text, file, 'jobs').map((item, index) => ({ where: at(`${file}: $.jobs`, index), item }));
}

/**
 * Parses jobs.json text; `file` names it in errors. When `knownNodes` is given, every node a job
 * names (and a target that is a node name) must be in it.
 */
export function parseJobsFile(text: string, file: string, knownNodes?: ReadonlySet<string>): JobSpec[] {
  return jobEntries(text, file).map(({ where, item }) => parseJob(item, where, { known: knownNodes }));
}

/** Reads and parses a nodes file. */
export async function readNodesFile(path: string): Promise<NodeSpec[]> {
  return parseNodesFile((await readInputFile(path)).toString('utf8'), path);
}

/** Reads a jobs file's job objects, unchecked. */
export async function readJobEntries(path: string): Promise<JobEntry[]> {
  return jobEntries((await readInputFile(path)).toString('utf8'), path);
}

/** Reads and parses a jobs file; `hash` is the SHA-256 (hex) of its exact bytes. */
export async function readJobsFile(path: string, knownNodes?: ReadonlySet<string>): Promise<{ jobs: JobSpec[]; hash: string; text: string }> {
  const bytes = await readInputFile(path);
  const text = bytes.toString('utf8');
  return { jobs: parseJobsFile(text, path, knownNodes), hash: createHash('sha256').update(bytes).digest('hex'), text };
}
