import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT_TIMED_OUT, UserError } from '../errors.js';
import type { SearchInfo, SearchRequest } from '../protocol/control-messages.js';
import type { Typed } from '../input/json.js';
import { formatDuration } from '../input/duration.js';
import { controlRequest, type ControlPeer } from './client.js';
import { formatTable } from './tables.js';
import { searchRows, searchView, type SearchView } from './search-view.js';
import { escapeControl } from '../text.js';

/** The flags of `pktgen submit --search`, as oclif parsed them. */
export interface SearchFlags {
  search?: string;
  node?: string[];
  target?: string;
  sizes?: string;
  trial?: string;
  warmup?: Typed;
  'max-loss'?: string;
  resolution?: string;
  'max-rate'?: string;
}

/** `pktgen submit` flags that describe a job and mean nothing to a search. */
const JOB_ONLY_FLAGS = ['all-nodes', 'rate', 'pps', 'duration', 'size', 'flows', 'threads', 'random-payload', 'latency', 'priority', 'retries', 'grace', 'max-rtt-p99', 'min-rate'] as const;

/**
 * The search the flags describe, as the user typed it: the scheduler checks it with the one search
 * schema (input/search.ts), so a bad --sizes gets the same message as a bad "sizes". Only what no
 * field can say (no node, or several) is refused here, naming the flag.
 */
export function searchFromFlags(flags: SearchFlags & Partial<Record<(typeof JOB_ONLY_FLAGS)[number], unknown>>): SearchRequest {
  // A job flag beside --search would be dropped without a word: the trials' jobs are the search's own.
  const jobOnly = JOB_ONLY_FLAGS.find((flag) => flags[flag] !== undefined && flags[flag] !== false);
  if (jobOnly) throw new UserError(`--${jobOnly} describes a job, not a search: a search sets each trial's rate and size itself (its flags: --node, --target, --sizes, --trial, --warmup, --max-loss, --resolution, --max-rate)`, 'ERR_USAGE');
  if (flags.node?.length !== 1) throw new UserError('a search needs exactly one --node NAME: the node that sends every trial', 'ERR_INPUT');
  const search: Record<string, unknown> = { kind: flags.search, node: flags.node[0] };
  if (flags.target !== undefined) search.target = flags.target;
  if (flags.sizes !== undefined) search.sizes = flags.sizes.split(',').map((size) => (/^\s*\d+\s*$/.test(size) ? Number(size) : size.trim()));
  const fields = { trial: 'trial', warmup: 'warmup', 'max-loss': 'max_loss', resolution: 'resolution', 'max-rate': 'max_rate' } as const;
  for (const [flag, field] of Object.entries(fields)) {
    const value = flags[flag as keyof typeof fields];
    if (value !== undefined) search[field] = value;
  }
  return { json: JSON.stringify(search), where: 'submit --search' };
}

/** How a search's wait reports. */
export interface SearchWaitOptions {
  timeoutMs?: number | undefined;
  pollMs: number;
  print: (text: string) => void;
}

/**
 * Polls the scheduler until the search is done (or the time-out passes), then prints per size the
 * throughput found. Exit code: 0 when every size found its rate, 1 when a size was given up (a
 * trial failed), 3 on the time-out.
 */
export async function waitForSearch(scheduler: ControlPeer, id: string, options: SearchWaitOptions): Promise<{ search: SearchView; exitCode: number }> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const response = await controlRequest(scheduler, { query: true, limit: 1 });
    const info = response.searches?.find((search) => search.id === id);
    if (!info) throw new UserError(`search ${id} is no longer on the scheduler`, 'ERR_UNKNOWN_JOB');
    if (info.state === 'done' || Date.now() >= deadline) return report(info, options);
    await sleep(Math.max(1, Math.min(options.pollMs, deadline - Date.now())));
  }
}

function report(info: SearchInfo, options: SearchWaitOptions): { search: SearchView; exitCode: number } {
  const search = searchView(info);
  options.print(formatTable(searchRows([info])));
  if (info.state !== 'done') {
    options.print(escapeControl(`timed out after ${formatDuration(options.timeoutMs!)} (--timeout); the search goes on: pktgen status --searches`));
    return { search, exitCode: EXIT_TIMED_OUT };
  }
  return { search, exitCode: search.sizes.every((size) => size.state === 'done') ? 0 : 1 };
}
