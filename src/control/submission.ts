import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import type { ControlRequest } from '../protocol/control-messages.js';
import { isFinal, jobView, type JobInfo, type JobView } from '../protocol/view.js';
import { controlRequest, type ControlPeer } from './client.js';
import { progressLine } from './submit.js';
import { countByState, formatTable, resultColumns } from './tables.js';
import { escapeControl } from '../text.js';

/** What `pktgen submit --json` prints: what was done, or with --wait, the jobs as they ended. */
export type SubmitDocument =
  | { job_ids: string[]; cancelled: string[]; nodes_added: string[] }
  | { job_ids: string[]; jobs: JobView[] };

/** How submit() reports: text through `print`, or nothing when the caller prints the JSON document. */
export interface SubmitOptions {
  wait: boolean;
  json: boolean;
  print: (text: string) => void;
  /** Where the progress line goes while waiting, if it is a terminal (default: stderr). */
  progress?: NodeJS.WriteStream;
}

/**
 * Sends what `pktgen submit` asks for and reports it: the new job ids, nodes added and jobs cancelled,
 * or with wait, the jobs' results once all are final. Returns the --json document and whether every
 * waited-for job succeeded.
 */
export async function submit(scheduler: ControlPeer, request: Partial<ControlRequest>, options: SubmitOptions): Promise<{ document: SubmitDocument; succeeded: boolean }> {
  const nodes = request.add_nodes ?? [];
  const cancelled = request.cancel ?? [];
  if ((request.add_jobs?.length ?? 0) + nodes.length + cancelled.length === 0) {
    throw new UserError('nothing to submit: give job flags (--node, --rate, --duration ...), -j jobs.json, -n nodes.json, --add-node or --cancel', 'ERR_USAGE');
  }
  const { job_ids } = await controlRequest(scheduler, request);
  const print = options.json ? () => {} : options.print;
  if (!options.wait || job_ids.length === 0) {
    for (const node of nodes) print(`added node ${node.name} (${node.host}, ${node.port})`);
    for (const id of cancelled) print(`cancelled ${id}`);
    for (const id of job_ids) print(escapeControl(id)); // the scheduler's words: shown, not obeyed
    return { document: { job_ids, cancelled, nodes_added: nodes.map((n) => n.name) }, succeeded: true };
  }
  const progress = options.progress ?? process.stderr;
  const jobs = await waitFor(scheduler, job_ids, !options.json && progress.isTTY ? progress : undefined);
  // Only finished jobs are ever removed: one the scheduler no longer holds ended, with an outcome unknown here.
  const gone = job_ids.length - jobs.length;
  print(`${formatTable(jobs.map(resultColumns))}\n${countByState(jobs)}${gone > 0 ? `; ${gone} finished but removed before they were read (the scheduler's --keep-jobs/--keep-for)` : ''}`);
  return { document: { job_ids, jobs: jobs.map(jobView) }, succeeded: gone === 0 && jobs.every((j) => j.state === 'succeeded') };
}

/** Polls the scheduler until every job it still holds is final; shows a progress line on a terminal. */
async function waitFor(scheduler: ControlPeer, ids: string[], progress: NodeJS.WriteStream | undefined): Promise<JobInfo[]> {
  for (;;) {
    const { jobs } = await controlRequest(scheduler, { query: true, job_ids: ids });
    progress?.write(`\r\x1b[K${progressLine(jobs)}`);
    if (jobs.every(isFinal)) {
      progress?.write('\r\x1b[K');
      return jobs;
    }
    await sleep(300);
  }
}
