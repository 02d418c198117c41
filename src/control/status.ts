import { UserError } from '../errors.js';
import { isFinal, type JobState } from '../protocol/view.js';
import { escapeControl } from '../text.js';
import { formatAddress } from '../transport/address.js';
import { ControlBackend } from '../tui/control-backend.js';
import { controlRequest, type ControlPeer } from './client.js';
import { jobDetail, jobsCsv, statusDocument, type StatusDocument } from './format.js';
import { intervalsCsv } from './intervals.js';
import { jobJson, type JobJson } from './json-shape.js';
import { countByState, formatTable, nodeColumns, resultColumns } from './tables.js';

/** What `pktgen status` shows: its arguments and flags, parsed. */
export interface StatusOptions {
  scheduler: ControlPeer;
  /** One job, in full. */
  job?: string | undefined;
  node?: string | undefined;
  state?: JobState | undefined;
  /** The newest jobs shown in the table; 0 = all (JSON and CSV always show all). */
  limit: number;
  /** table: for people; json: returned, for oclif to print; csv: finished jobs' results; watch: the live view. */
  output: 'table' | 'json' | 'csv' | 'watch';
  /** With csv: one row per measured interval instead of one per job. */
  intervals?: boolean | undefined;
}

/**
 * Asks the scheduler and prints its nodes, queues and jobs with `print`, or shows the live view.
 * With output 'json' it prints nothing and returns the document (the job alone when one was asked for).
 */
export async function showStatus(options: StatusOptions, print: (text: string) => void): Promise<StatusDocument | JobJson | undefined> {
  const { scheduler, job: jobId, node, output } = options;
  if (output === 'watch') {
    const { runTui } = await import('../tui/run.js');
    await controlRequest(scheduler, {}); // fail fast, with the clear message, when nobody is there
    await runTui(new ControlBackend(`scheduler ${formatAddress(scheduler.address)}`, (request) => controlRequest(scheduler, request)));
    return undefined;
  }
  const response = await controlRequest(scheduler, {
    query: true, job_ids: jobId ? [jobId] : [], node: node ?? '', states: options.state ? [options.state] : [],
    limit: output === 'table' ? options.limit : 0,
  });
  if (node && !response.nodes.some((n) => n.name === node)) {
    throw new UserError(`unknown node ${node}; known: ${response.nodes.map((n) => n.name).join(', ') || 'none'}`, 'ERR_UNKNOWN_NODE');
  }
  if (jobId) {
    const job = response.jobs[0];
    if (!job) throw new UserError(`no job ${jobId} on the scheduler at ${formatAddress(scheduler.address)}`, 'ERR_UNKNOWN_JOB');
    if (output === 'json') return jobJson(job);
    print(jobDetail(job));
    return undefined;
  }
  if (output === 'json') return statusDocument(response.nodes, response.jobs, response.store_error);
  if (output === 'csv') {
    const finished = response.jobs.filter(isFinal);
    print(options.intervals ? intervalsCsv(finished) : jobsCsv(finished));
    return undefined;
  }
  const shown = response.jobs;
  if (response.store_error) print(`warning: the scheduler ${escapeControl(response.store_error)}\n`);
  print(formatTable(response.nodes.map(nodeColumns)) || 'no nodes');
  print('');
  if (shown.length > 0) print(formatTable(shown.map(resultColumns)));
  const hidden = response.jobs_total - shown.length;
  const pending = response.nodes.reduce((sum, n) => sum + n.pending, 0);
  print(`${response.jobs_total} job(s), ${pending} pending; shown: ${countByState(shown)}${hidden > 0 ? ` (newest ${shown.length}; --limit 0 for all)` : ''}`);
  return undefined;
}
