import { isFinal } from '../protocol/view.js';
import type { JobInfo, NodeInfo, Snapshot } from '../protocol/view.js';
import { briefStats, plural } from './format.js';

/** One line of the event log: something the scheduler did, or the answer to something the user did. */
export interface LogEntry {
  /** Milliseconds since the epoch. */
  at: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}


/**
 * What changed between two snapshots, oldest first: jobs queued, started, succeeded, failed, lost
 * or cancelled; nodes added, up, down, paused or resumed; the store failing or saving again. No
 * previous snapshot = nothing happened yet, unless the store is failing already.
 */
export function deriveEvents(prev: Snapshot | undefined, next: Snapshot, now: number): LogEntry[] {
  if (!prev) return next.store_error ? [storeEvent(next, now)] : [];
  const store = Boolean(prev.store_error) !== Boolean(next.store_error) ? [storeEvent(next, now)] : [];
  return [...store, ...nodeEvents(prev.nodes, next.nodes, now), ...jobEvents(prev.jobs, next.jobs, now)].sort((a, b) => a.at - b.at);
}

/** The scheduler started or stopped failing to save its state. */
function storeEvent(next: Snapshot, now: number): LogEntry {
  return next.store_error
    ? { at: now, level: 'error', text: `the scheduler ${next.store_error}` }
    : { at: now, level: 'info', text: 'the scheduler saves its state again' };
}

function nodeEvents(before: NodeInfo[], after: NodeInfo[], now: number): LogEntry[] {
  const old = new Map(before.map((node) => [node.name, node]));
  const events: LogEntry[] = [];
  for (const node of after) {
    const was = old.get(node.name);
    if (!was) events.push({ at: now, level: 'info', text: `node ${node.name} added (${node.host}:${node.port})` });
    if (was && was.health !== node.health && node.health !== 'unknown') {
      events.push({ at: now, level: node.health === 'down' ? 'warn' : 'info', text: `node ${node.name} ${node.health}` });
    }
    if (was && was.paused !== node.paused) events.push({ at: now, level: 'info', text: `node ${node.name} ${node.paused ? 'paused' : 'resumed'}` });
  }
  return events;
}

function jobEvents(before: JobInfo[], after: JobInfo[], now: number): LogEntry[] {
  const old = new Map(before.map((job) => [job.id, job]));
  const events: LogEntry[] = [];
  const queued = new Map<string, number>();
  for (const job of after) {
    const was = old.get(job.id);
    if (was?.state === job.state) continue;
    if (!was && job.state === 'pending') {
      queued.set(job.node, (queued.get(job.node) ?? 0) + 1);
      continue;
    }
    // A job that started and ended between two polls is reported by its end only.
    if (job.state === 'running') events.push({ at: job.started_at || now, level: 'info', text: `${job.id} started on ${job.node}` });
    if (isFinal(job) && !(was && isFinal(was))) events.push(finished(job, now));
  }
  for (const [node, count] of queued) events.push({ at: now, level: 'info', text: `${plural(count, 'job')} queued on ${node}` });
  return events;
}

function finished(job: JobInfo, now: number): LogEntry {
  const at = job.finished_at || now;
  const base = `${job.id} ${job.state} on ${job.node}`;
  if (job.state === 'succeeded') return { at, level: 'info', text: `${base}: ${briefStats(job.stats)[0]}` };
  const level = job.state === 'cancelled' ? 'info' : 'error';
  return { at, level, text: job.reason ? `${base}: ${job.reason}` : base };
}

/** Appends entries, keeping the newest `max`. */
export function appendLog(log: readonly LogEntry[], entries: readonly LogEntry[], max = 200): LogEntry[] {
  if (entries.length === 0) return log as LogEntry[];
  return [...log, ...entries].slice(-max);
}
