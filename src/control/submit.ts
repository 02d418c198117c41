import type { ControlRequest, JobRequest, NodeRequest } from '../protocol/control-messages.js';
import { readJobEntries, readNodesFile, type NodeSpec } from '../input/files.js';
import { isFinal, type JobInfo } from '../protocol/view.js';
import { UserError } from '../errors.js';
import { typed, type Typed } from '../input/json.js';
import { escapeControl } from '../text.js';
import { searchFromFlags, type SearchFlags } from './search-submit.js';
import { RATE } from '../input/units.js';

/** The job flags of `pktgen submit`, as oclif parsed them. */
export interface JobFlags {
  node?: string[];
  'all-nodes': boolean;
  rate?: Typed;
  pps?: Typed;
  interval?: Typed;
  duration?: Typed;
  warmup?: Typed;
  flows?: Typed;
  threads?: Typed;
  size?: string;
  'random-payload': boolean;
  latency: boolean;
  target?: string;
  priority?: Typed;
  retries?: Typed;
  /** The job's "timeout" field: seconds of grace past w + t (`--timeout` bounds --wait). */
  grace?: Typed;
  'max-loss'?: string;
  'max-rtt-p99'?: string;
  'min-rate'?: string;
}

/** Which "data" field each flag sets (`--size` sets s_min and s_max, or "size" for a mix). */
const DATA_FLAGS = { rate: 'rate', pps: 'pps', duration: 't', warmup: 'w', flows: 'n', threads: 'threads', 'random-payload': 'r', latency: 'l', interval: 'interval' } as const;
/** The flags that set a job field beside "data", and the field each sets. */
const JOB_FIELD_FLAGS = { priority: 'priority', target: 'target', grace: 'timeout', retries: 'retries' } as const;
/** Which "expect" field each flag sets. */
const EXPECT_FLAGS = { 'max-loss': 'max_loss', 'max-rtt-p99': 'max_rtt_p99', 'min-rate': 'min_rate' } as const;

/**
 * `--size` as the fields it sets, values as typed: `64-1500` -> s_min 64, s_max 1500; a mix
 * (`imix`, `64:7,594:4,1518:1`) goes as "size", as a jobs file writes it.
 */
export function sizeFields(text: string): { s_min: Typed; s_max?: Typed } | { size: string } {
  if (/[:,]|^\s*imix\s*$/i.test(text)) return { size: text };
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
  if (flags.rate === undefined && flags.pps === undefined) throw new UserError(`a job needs --rate (e.g. ${RATE.examples}; 0 = as fast as possible) or --pps N`, 'ERR_INPUT');
  if (flags.duration === undefined) throw new UserError('a job needs --duration SECONDS', 'ERR_INPUT');
  const data: Record<string, unknown> = { ...sizeFields(flags.size ?? '64') };
  for (const [flag, field] of Object.entries(DATA_FLAGS)) data[field] = flags[flag as keyof typeof DATA_FLAGS];
  const job: Record<string, unknown> = { data };
  if (flags.node?.length) job.nodes = flags.node;
  for (const [flag, field] of Object.entries(JOB_FIELD_FLAGS)) job[field] = flags[flag as keyof typeof JOB_FIELD_FLAGS];
  const expect = Object.fromEntries(Object.entries(EXPECT_FLAGS).flatMap(([flag, field]) => {
    const value = flags[flag as keyof typeof EXPECT_FLAGS];
    return value === undefined ? [] : [[field, value]];
  }));
  if (Object.keys(expect).length > 0) job.expect = expect;
  return { json: JSON.stringify(job), where: 'submit', all_nodes: flags['all-nodes'] };
}

/** The flags of `pktgen submit` beside the job flags. */
export interface SubmitFlags extends JobFlags, SearchFlags {
  nodes?: string;
  jobs?: string;
  'add-node'?: NodeSpec[];
  cancel?: string[];
  'remove-node'?: string[];
  'cancel-node'?: string[];
}

/** A node as a control request carries it. */
export const nodeRequest = (node: NodeSpec): NodeRequest =>
  ({ name: node.name, host: node.host, port: node.port, reflector: node.reflector ?? '', legacy: node.legacy ?? false });

/** What `pktgen submit` sends, from its flags: nodes, jobs (files, then flags), cancels, node cancels and removals. */
export async function submitRequest(flags: SubmitFlags): Promise<Partial<ControlRequest>> {
  const nodes = flags.nodes ? await readNodesFile(flags.nodes) : [];
  const add_nodes = [...nodes, ...flags['add-node'] ?? []].map(nodeRequest);
  // Jobs go as written: the scheduler checks them, knowing its nodes, and names them by file and path.
  const add_jobs = flags.jobs ? (await readJobEntries(flags.jobs)).map(({ where, item }) => ({ json: JSON.stringify(item), where, all_nodes: false })) : [];
  const request = { add_nodes, add_jobs, cancel: flags.cancel ?? [], cancel_nodes: flags['cancel-node'] ?? [], remove_nodes: flags['remove-node'] ?? [] };
  // --search: --node, --target, --warmup and --max-loss describe the search, whose trials are the jobs.
  if (flags.search !== undefined) return { ...request, search: searchFromFlags(flags) };
  if (flags.node || flags['all-nodes'] || flags.rate !== undefined || flags.pps !== undefined || flags.duration !== undefined) add_jobs.push(jobFromFlags(flags));
  return request;
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
