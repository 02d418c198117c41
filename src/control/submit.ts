import type { ControlRequest, JobRequest, NodeRequest } from '../protocol/control-messages.js';
import { readJobEntries, readNodesFile } from '../input/files.js';
import { isFinal, type JobInfo } from '../protocol/view.js';
import { PORTS } from '../protocol/ports.js';
import { UserError } from '../errors.js';
import { parseAddress } from '../transport/address.js';
import { typed, type Typed } from '../input/json.js';
import { escapeControl } from '../text.js';

/** The job flags of `pktgen submit`, as oclif parsed them. */
export interface JobFlags {
  node?: string[];
  'all-nodes': boolean;
  rate?: Typed;
  duration?: Typed;
  warmup?: Typed;
  flows?: Typed;
  size?: string;
  'random-payload': boolean;
  latency: boolean;
  target?: string;
  priority?: Typed;
  retries?: Typed;
  timeout?: Typed;
}

/** Which "data" field each flag sets (`--size` sets s_min and s_max). */
export const DATA_FLAGS = { rate: 'm', duration: 't', warmup: 'w', flows: 'n', 'random-payload': 'r', latency: 'l' } as const;
/** The flags that set a job field of the same name, beside "data". */
export const JOB_FIELD_FLAGS = ['priority', 'target', 'timeout', 'retries'] as const;

/** `--size MIN[-MAX]` as the fields it sets, values as typed: `64-1500` -> s_min 64, s_max 1500. */
export function sizeFields(text: string): { s_min: Typed; s_max?: Typed } {
  const dash = text.indexOf('-', 1);
  if (dash < 0) return { s_min: typed(text) };
  const [min, max] = [typed(text.slice(0, dash)), typed(text.slice(dash + 1))];
  // MIN-MIN is one size: s_max 0 says so on the wire.
  return { s_min: min, s_max: max === min ? 0 : max };
}

/**
 * The job the flags describe, as the user typed it: the scheduler checks it with the one job schema,
 * so `--duration 0` gets the same message as `"t": 0` in a jobs file. Only what no field can say
 * (no node, no rate, no duration) is refused here, naming the flag.
 */
export function jobFromFlags(flags: JobFlags): JobRequest {
  if (!flags.node?.length && !flags['all-nodes']) throw new UserError('a job needs --node NAME (repeatable) or --all-nodes', 'ERR_INPUT');
  if (flags.rate === undefined) throw new UserError('a job needs --rate MBPS (0 = as fast as possible)', 'ERR_INPUT');
  if (flags.duration === undefined) throw new UserError('a job needs --duration SECONDS', 'ERR_INPUT');
  const data: Record<string, unknown> = { ...sizeFields(flags.size ?? '64') };
  for (const [flag, field] of Object.entries(DATA_FLAGS)) data[field] = flags[flag as keyof typeof DATA_FLAGS];
  const job: Record<string, unknown> = { data };
  if (flags.node?.length) job.nodes = flags.node;
  for (const field of JOB_FIELD_FLAGS) job[field] = flags[field];
  return { json: JSON.stringify(job), where: 'submit', all_nodes: flags['all-nodes'] };
}

/** What `pktgen submit` sends, from its flags: nodes first, then jobs (files, then flags), then cancels. */
export async function submitRequest(flags: JobFlags & { nodes?: string; jobs?: string; 'add-node'?: NodeRequest[]; cancel?: string[] }): Promise<Partial<ControlRequest>> {
  const nodes = flags.nodes ? await readNodesFile(flags.nodes) : [];
  const add_nodes = [...nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, reflector: n.reflector ?? '', legacy: n.legacy ?? false })), ...flags['add-node'] ?? []];
  // Jobs go as written: the scheduler checks them, knowing its nodes, and names them by file and path.
  const add_jobs = flags.jobs ? (await readJobEntries(flags.jobs)).map(({ where, item }) => ({ json: JSON.stringify(item), where, all_nodes: false })) : [];
  if (flags.node || flags['all-nodes'] || flags.rate !== undefined || flags.duration !== undefined) add_jobs.push(jobFromFlags(flags));
  return { add_nodes, add_jobs, cancel: flags.cancel ?? [] };
}

/** Parses `--add-node NAME=HOST[:PORT]`. */
export function parseAddNode(text: string): NodeRequest {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--add-node ${text}: expected NAME=HOST[:PORT], e.g. m2=127.0.0.1:1729`, 'ERR_INPUT');
  const address = parseAddress(text.slice(eq + 1), PORTS.node, `--add-node ${text.slice(0, eq)}`);
  return { name: text.slice(0, eq), host: address.host, port: address.port, reflector: '', legacy: false };
}

/** One progress line for a terminal: how many are done and what runs now. */
export function progressLine(jobs: JobInfo[], now = Date.now()): string {
  const done = jobs.filter(isFinal).length;
  const running = jobs.find((j) => j.state === 'running');
  let current = '';
  if (running) {
    const total = (running.data.w + running.data.t) * 1000;
    const pct = total > 0 && running.started_at ? Math.min(100, Math.round(((now - running.started_at) / total) * 100)) : 0;
    current = `; ${running.id} on ${running.node} ${pct}%`;
  }
  return escapeControl(`${done}/${jobs.length} done${current}`);
}
