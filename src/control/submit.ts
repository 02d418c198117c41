import type { ControlJob, ControlNode } from '../protocol/control.js';
import type { JobInfo } from '../scheduler/snapshot.js';
import { FINAL_STATES } from '../scheduler/types.js';
import { validateJobData } from '../scheduler/job-data.js';
import { UserError } from '../errors.js';
import { parseAddress } from '../transport/address.js';
import { DEFAULT_NODE_PORT } from '../scheduler/files.js';

/** The job flags of `pktgen submit`, as oclif parsed them. */
export interface JobFlags {
  node?: string[];
  'all-nodes': boolean;
  rate?: number;
  duration?: number;
  warmup: number;
  flows: number;
  size: string;
  'random-payload': boolean;
  latency: boolean;
  target?: string;
  priority: number;
  retries: number;
  timeout?: number;
}

/** Parses `--size MIN[-MAX]` into s_min and s_max (0 = fixed size). */
export function parseSize(text: string): { s_min: number; s_max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) throw new UserError(`--size ${text}: expected MIN or MIN-MAX frame bytes, e.g. 64 or 64-1500`, 'ERR_INPUT');
  const min = Number(match[1]);
  const max = match[2] === undefined ? 0 : Number(match[2]);
  if (match[2] !== undefined && max < min) throw new UserError(`--size ${text}: MIN must not exceed MAX`, 'ERR_INPUT');
  return { s_min: min, s_max: max === min ? 0 : max };
}

/** Builds the job the flags describe; throws UserError naming the flag when one is missing or bad. */
export function jobFromFlags(flags: JobFlags): ControlJob {
  if (!flags.node?.length && !flags['all-nodes']) throw new UserError('a job needs --node NAME (repeatable) or --all-nodes', 'ERR_INPUT');
  if (flags.rate === undefined) throw new UserError('a job needs --rate MBPS (0 = as fast as possible)', 'ERR_INPUT');
  if (flags.duration === undefined) throw new UserError('a job needs --duration SECONDS', 'ERR_INPUT');
  const data = validateJobData({
    m: flags.rate, t: flags.duration, w: flags.warmup, n: flags.flows, ...parseSize(flags.size),
    r: flags['random-payload'], l: flags.latency,
  }, 'job flags');
  return {
    nodes: flags.node ?? [], all_nodes: flags['all-nodes'], priority: flags.priority, data,
    target: flags.target ?? '', timeout_s: flags.timeout ?? 0, retries: flags.retries,
  };
}

/** Parses `--add-node NAME=HOST[:PORT]`. */
export function parseAddNode(text: string): ControlNode {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--add-node ${text}: expected NAME=HOST[:PORT], e.g. m2=127.0.0.1:1729`, 'ERR_INPUT');
  const address = parseAddress(text.slice(eq + 1), DEFAULT_NODE_PORT, `--add-node ${text.slice(0, eq)}`);
  return { name: text.slice(0, eq), host: address.host, port: address.port, reflector: '' };
}

/** True once a job reached a final state. */
export const isFinished = (job: Pick<JobInfo, 'state'>): boolean => FINAL_STATES.includes(job.state);

/** One progress line for a terminal: how many are done and what runs now. */
export function progressLine(jobs: JobInfo[], now = Date.now()): string {
  const done = jobs.filter(isFinished).length;
  const running = jobs.find((j) => j.state === 'running');
  let current = '';
  if (running) {
    const total = (running.data.w + running.data.t) * 1000;
    const pct = total > 0 && running.started_at ? Math.min(100, Math.round(((now - running.started_at) / total) * 100)) : 0;
    current = `; ${running.id} on ${running.node} ${pct}%`;
  }
  return `${done}/${jobs.length} done${current}`;
}
