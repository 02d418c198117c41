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
import { searchesCsv, searchRows, searchView, type SearchView } from './search-view.js';

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
  /** Throughput searches only: the table shows them alone, and the CSV has one row per trial. */
  searches?: boolean;
}

/** `status --json`: the scheduler's document, and its throughput searches. */
export type StatusWithSearches = StatusDocument & { searches: SearchView[] };

/**
 * Asks the scheduler and prints its nodes, queues and jobs with `print`, or shows the live view.
 * With output 'json' it prints nothing and returns the document (the job alone when one was asked for).
 */
export async function showStatus(options: StatusOptions, print: (text: string) => void): Promise<StatusWithSearches | JobJson | undefined> {
  const { scheduler, job: jobId, node, output } = options;
  if (output === 'watch') {
    const { runTui } = await import('../tui/run.js');
    await controlRequest(scheduler, {}); // fail fast, with the clear message, when nobody is there
    // A viewer: quitting it stops nothing on the scheduler, so q needs no question.
    await runTui(new ControlBackend(`scheduler ${formatAddress(scheduler.address)}`, (request) => controlRequest(scheduler, request)), { quitStopsJobs: false });
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
  const searches = response.searches ?? [];
  if (output === 'json') return { ...statusDocument(response.nodes, response.jobs, response.store_error), searches: searches.map(searchView) };
  if (output === 'csv') {
    const finished = response.jobs.filter(isFinal);
    print(options.searches ? searchesCsv(searches) : options.intervals ? intervalsCsv(finished) : jobsCsv(finished));
    return undefined;
  }
  if (options.searches) {
    print(formatTable(searchRows(searches)) || 'no searches');
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
  if (searches.length > 0) print(`\n${formatTable(searchRows(searches))}`);
  return undefined;
}
