import { isFinal } from '../protocol/view.js';
import type { NewJob, NewNode } from './core.js';
import type { JobRecord, NodeRecord, SchedulerState } from './types.js';

/** The reason a job cancelled on request carries. */
export const CANCELLED_REASON = 'cancelled';

/** A node as the core first adds it. */
export function newNodeRecord(spec: NewNode, seq: number): NodeRecord {
  const node: NodeRecord = { ...spec, legacy: spec.legacy ?? false, health: 'unknown', paused: false, failures: 0, retryAt: 0, seq };
  if (spec.reflector === undefined) delete node.reflector;
  return node;
}

/** What a known node named again takes: its new address, and a clean slate; undefined when nothing changed. */
export function movedNode(existing: NodeRecord, spec: NewNode): Partial<NodeRecord> | undefined {
  const legacy = spec.legacy ?? false;
  if (existing.host === spec.host && existing.port === spec.port && existing.reflector === spec.reflector && existing.legacy === legacy) return undefined;
  return { host: spec.host, port: spec.port, reflector: spec.reflector, legacy, health: 'unknown', failures: 0, retryAt: 0 };
}

/**
 * A job as the core first queues it. Every field from the start, optional ones undefined, and never
 * `delete`d: a record that gains fields later, and above all one that loses one, takes 5x the memory
 * (V8 turns it into a dictionary), and finished jobs stay in memory.
 */
export function newJobRecord(spec: NewJob, seq: number, now: number): JobRecord {
  return {
    id: spec.id, node: spec.node, priority: spec.priority, seq, data: spec.data, target: spec.target,
    timeoutS: spec.timeoutS, retries: spec.retries, attempts: 0, sends: 0, state: 'pending', reason: '', stats: undefined,
    createdAt: now, sentAt: undefined, startedAt: undefined, finishedAt: undefined, deadline: undefined,
  };
}

/** What a control request asks of the core, in the order the service applies it. */
export interface Submission {
  nodes: NewNode[];
  jobs: NewJob[];
  cancel: string[];
  pause: Array<{ node: string; paused: boolean }>;
}

/**
 * The rows a submission leaves in the store once the core has applied it, before anything is
 * dispatched: built with the core's own record builders and in its order, from its state, which
 * this only reads. The service writes them first, so that a request the store refuses changes
 * nothing; the core's own writes then follow.
 */
export function submissionRows(state: SchedulerState, submission: Submission, now: number): { nodes: NodeRecord[]; jobs: JobRecord[] } {
  let seq = state.nextSeq;
  const nodes = new Map<string, NodeRecord>();
  const nodeOf = (name: string): NodeRecord | undefined => nodes.get(name) ?? state.nodes.get(name);
  for (const spec of submission.nodes) {
    const existing = nodeOf(spec.name);
    if (!existing) nodes.set(spec.name, newNodeRecord(spec, seq++));
    else {
      const moved = movedNode(existing, spec);
      if (moved) nodes.set(spec.name, { ...existing, ...moved });
    }
  }
  const jobs = new Map<string, JobRecord>();
  for (const spec of submission.jobs) {
    // The core passes over these two as well (and says so in its log).
    if (state.jobs.has(spec.id) || jobs.has(spec.id) || !nodeOf(spec.node)) continue;
    jobs.set(spec.id, newJobRecord(spec, seq++, now));
  }
  for (const id of submission.cancel) {
    const job = jobs.get(id) ?? state.jobs.get(id);
    if (job && !isFinal(job)) jobs.set(id, { ...job, state: 'cancelled', reason: CANCELLED_REASON, finishedAt: now });
  }
  for (const { node, paused } of submission.pause) {
    const record = nodeOf(node);
    if (record && record.paused !== paused) nodes.set(node, { ...record, paused });
  }
  return { nodes: [...nodes.values()], jobs: [...jobs.values()] };
}
