import type { Logger } from '../log.js';
import { downNodeLines } from '../control/open-jobs.js';
import { nodeInfos } from './snapshot.js';
import type { SchedulerService } from './service.js';

/** How often `schedule --exit-when-done` names the down nodes its jobs wait for. */
const DOWN_REPORT_MS = 30_000;

/** Why the scheduler stops. */
export type EndReason = 'signal' | 'drained' | 'deadline';

/** When `schedule` stops, and what it says while it waits. */
export interface WaitEndOptions {
  /** Stop once no job is queued or running. */
  exitWhenDone: boolean;
  /** With exitWhenDone: stop this long (ms) after the wait began, whatever is open. */
  deadlineMs?: number | undefined;
  /** With exitWhenDone: how often (ms) down nodes that hold open jobs are logged; default DOWN_REPORT_MS. */
  downReportMs?: number;
  log: Logger;
  /** Settles when a stop signal arrives (caught from start-up on: catchStopSignals). */
  stopped?: Promise<unknown>;
}

/**
 * Resolves on a stop signal (`stopped`), or (exitWhenDone) once drained or at the deadline. While it waits to
 * exit, every downReportMs it logs each down node that holds open jobs: a wait that cannot end until
 * a node returns says so, instead of being silent.
 */
export function waitForEnd(service: SchedulerService, options: WaitEndOptions): Promise<EndReason> {
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const end = (reason: EndReason) => {
      for (const timer of timers) clearTimeout(timer);
      service.off('drained', onDrained);
      resolve(reason);
    };
    const onDrained = () => end('drained');
    void options.stopped?.then(() => end('signal'));
    if (!options.exitWhenDone) return;
    if (service.isDrained()) return end('drained');
    service.on('drained', onDrained);
    if (options.deadlineMs !== undefined) timers.push(setTimeout(() => end('deadline'), options.deadlineMs));
    timers.push(setInterval(() => {
      for (const line of downNodeLines(nodeInfos(service), Date.now())) options.log.warn(`${line}; --exit-when-done waits for them`);
    }, options.downReportMs ?? DOWN_REPORT_MS));
  });
}
