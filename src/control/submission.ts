import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT_TIMED_OUT, UserError } from '../errors.js';
import type { ControlRequest } from '../protocol/control-messages.js';
import { isFinal, type JobInfo, type NodeInfo } from '../protocol/view.js';
import { jobJson, type JobJson } from './json-shape.js';
import { formatDuration } from '../input/duration.js';
import { controlRequest, type ControlPeer } from './client.js';
import { downText, openJobLines, whyOpen } from './open-jobs.js';
import { progressLine } from './submit.js';
import { IntervalStream, type IntervalLine } from './intervals.js';
import { countByState, formatTable, resultColumns } from './tables.js';
import { escapeControl } from '../text.js';

/** What `pktgen submit --json` prints: what was done, or with --wait, the jobs as they ended (or stood at the time-out), each as in `status --json`. */
export type SubmitDocument =
  | { job_ids: string[]; cancelled: string[]; nodes_added: string[]; nodes_removed: string[] }
  | { job_ids: string[]; jobs: JobJson[]; timed_out?: boolean; open?: Array<{ id: string; node: string; state: string; why: string }> };

/** How submit() reports: text through `print`, or nothing when the caller prints the JSON document. */
export interface SubmitOptions {
  wait: boolean;
  /** With wait: give up after this long (ms), naming the jobs still open and why; exit code 3. */
  timeoutMs?: number | undefined;
  json: boolean;
  print: (text: string) => void;
  /** Notices while waiting (a node down, back up) and the time-out report; default: stderr. */
  warn?: (text: string) => void;
  /** Where the progress line goes while waiting, if it is a terminal (default: stderr). */
  progress?: NodeJS.WriteStream;
  /** How often the scheduler is asked while waiting (ms). */
  pollMs?: number;
  /** With wait: each measured interval of the jobs, once, while they run and then from their results. */
  onInterval?: (line: IntervalLine) => void;
}

/**
 * Sends what `pktgen submit` asks for and reports it: the new job ids first, nodes added and removed,
 * jobs cancelled; with wait, then the jobs' results once all are final, or at the time-out the jobs
 * still open and why. Returns the --json document and the exit code: 0 if every waited-for job
 * succeeded, 1 if one did not, 3 on the time-out.
 */
export async function submit(scheduler: ControlPeer, request: Partial<ControlRequest>, options: SubmitOptions): Promise<{ document: SubmitDocument; exitCode: number }> {
  const nodes = request.add_nodes ?? [];
  const asked = request.cancel ?? [];
  const removed = request.remove_nodes ?? [];
  const nodeCancels = request.cancel_nodes ?? [];
  if ((request.add_jobs?.length ?? 0) + nodes.length + asked.length + removed.length + nodeCancels.length === 0) {
    throw new UserError('nothing to submit: give job flags (--node, --rate, --duration ...), -j jobs.json, -n nodes.json, --add-node, --cancel, --cancel-node or --remove-node', 'ERR_USAGE');
  }
  const response = await controlRequest(scheduler, request);
  const { job_ids } = response;
  const cancelled = response.cancelled ?? [];
  const print = options.json ? () => {} : options.print;
  for (const node of nodes) print(`added node ${node.name} (${node.host}, ${node.port})`);
  for (const name of removed) print(`removed node ${name}`);
  for (const id of asked) if (!cancelled.includes(id)) print(`${id}: already finished, not cancelled`);
  for (const id of cancelled) print(`cancelled ${escapeControl(id)}`);
  // The ids first, before any waiting: a wait cut short still leaves them to look up.
  for (const id of job_ids) print(escapeControl(id)); // the scheduler's words: shown, not obeyed
  if (!options.wait || job_ids.length === 0) {
    return { document: { job_ids, cancelled, nodes_added: nodes.map((n) => n.name), nodes_removed: removed }, exitCode: 0 };
  }
  const progress = options.progress ?? process.stderr;
  const warn = options.warn ?? ((text: string) => process.stderr.write(`${text}\n`));
  const stream = options.onInterval ? new IntervalStream() : undefined;
  const waited = await waitFor(scheduler, job_ids, {
    progress: !options.json && progress.isTTY ? progress : undefined, warn, timeoutMs: options.timeoutMs, pollMs: options.pollMs ?? 300,
    polled: stream && ((jobs) => stream.take(jobs).forEach(options.onInterval!)),
  });
  const { jobs } = waited;
  if (waited.timedOut) {
    const now = Date.now();
    const byName = new Map(waited.nodes.map((node) => [node.name, node]));
    const open = jobs.filter((job) => !isFinal(job));
    print(formatTable(jobs.map(resultColumns)));
    warn([`timed out after ${formatDuration(options.timeoutMs!)} (--timeout) with ${open.length} of ${job_ids.length} job(s) still open:`,
      ...openJobLines(jobs, waited.nodes, waited.ahead, now)].join('\n'));
    const why = open.map((job) => ({ id: job.id, node: job.node, state: job.state, why: whyOpen(job, byName.get(job.node), waited.ahead[job.id], now) }));
    return { document: { job_ids, jobs: jobs.map(jobJson), timed_out: true, open: why }, exitCode: EXIT_TIMED_OUT };
  }
  // Only finished jobs are ever removed: one the scheduler no longer holds ended, with an outcome unknown here.
  const gone = job_ids.length - jobs.length;
  print(`${formatTable(jobs.map(resultColumns))}\n${countByState(jobs)}${gone > 0 ? `; ${gone} finished but removed before they were read (the scheduler's --keep-jobs/--keep-for)` : ''}`);
  return { document: { job_ids, jobs: jobs.map(jobJson) }, exitCode: gone === 0 && jobs.every((j) => j.state === 'succeeded') ? 0 : 1 };
}

interface WaitOptions {
  progress: NodeJS.WriteStream | undefined;
  /** Sees the jobs as each answer gives them, the last (final) one included. */
  polled?: ((jobs: JobInfo[]) => void) | undefined;
  warn: (text: string) => void;
  timeoutMs: number | undefined;
  pollMs: number;
}

/**
 * Polls the scheduler until every job it still holds is final, or the time-out passes (then it asks
 * once more, for how many jobs each open one waits behind). Shows a progress line on a terminal, and
 * says once when a node the jobs wait for is down (and when it is back), so a wait is never silent.
 */
async function waitFor(scheduler: ControlPeer, ids: string[], options: WaitOptions): Promise<{ jobs: JobInfo[]; nodes: NodeInfo[]; ahead: Record<string, number>; timedOut: boolean }> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const down = new Set<string>();
  const say = (text: string) => {
    options.progress?.write('\r\x1b[K');
    options.warn(escapeControl(text));
  };
  for (;;) {
    const timedOut = Date.now() >= deadline;
    const response = await controlRequest(scheduler, { query: true, job_ids: ids, explain: timedOut });
    const { jobs, nodes } = response;
    options.polled?.(jobs);
    if (jobs.every(isFinal) || timedOut) {
      options.progress?.write('\r\x1b[K');
      return { jobs, nodes, ahead: response.queued_ahead ?? {}, timedOut: timedOut && !jobs.every(isFinal) };
    }
    const waiting = new Map<string, number>();
    for (const job of jobs) if (!isFinal(job)) waiting.set(job.node, (waiting.get(job.node) ?? 0) + 1);
    for (const node of nodes) {
      const count = waiting.get(node.name) ?? 0;
      if (node.health === 'down' && count > 0 && !down.has(node.name)) {
        down.add(node.name);
        say(`${downText(node, Date.now())}: ${count} of these job(s) wait for it; still waiting (${options.timeoutMs === undefined ? 'Ctrl-C stops waiting; --timeout bounds the wait' : `until the --timeout of ${formatDuration(options.timeoutMs)}`})`);
      } else if (node.health !== 'down' && down.delete(node.name)) {
        say(`node ${node.name} is back (${node.health === 'up' ? 'up' : 'being reached'})`);
      }
    }
    options.progress?.write(`\r\x1b[K${progressLine(jobs)}`);
    await sleep(Math.max(1, Math.min(options.pollMs, deadline - Date.now())));
  }
}
