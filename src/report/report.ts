import { writeFile } from 'node:fs/promises';
import { controlRequest, type ControlPeer } from '../control/client.js';
import { UserError } from '../errors.js';
import { formatAddress } from '../transport/address.js';
import { reportHtml } from './html.js';
import { scopeText, selectInScope, type ReportScope } from './scope.js';

/** What `pktgen report` was asked for. */
export interface ReportOptions {
  scheduler: ControlPeer;
  scope: ReportScope;
  /** The HTML file to write; '-' writes it to stdout. */
  out: string;
  nowMs: number;
}

/** Asks the scheduler for its results, keeps those in scope, and writes the HTML report; returns a line saying what was written. */
export async function writeReport(options: ReportOptions, print: (text: string) => void): Promise<string> {
  const { scheduler, scope, nowMs } = options;
  const response = await controlRequest(scheduler, { query: true, job_ids: scope.kind === 'jobs' ? scope.ids : [], limit: 0 });
  const { jobs, searches } = selectInScope(response.jobs, response.searches ?? [], scope, nowMs);
  const html = reportHtml({
    scheduler: formatAddress(scheduler.address), scope: scopeText(scope), generatedMs: nowMs,
    nodes: response.nodes, jobs, searches,
  });
  if (options.out === '-') {
    print(html);
    return '';
  }
  try {
    await writeFile(options.out, html);
  } catch (error) {
    throw new UserError(`--out ${options.out}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): expected a writable file path`, 'ERR_USAGE');
  }
  return `wrote ${options.out}: ${jobs.length} job(s), ${searches.length} search(es)`;
}
