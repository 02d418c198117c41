import { isFinal } from '../protocol/view.js';
import type { NewJob, NewNode, SchedulerCore } from './core.js';
import type { JobRecord, NodeRecord } from './types.js';

/** The reason a job cancelled on request carries. */
export const CANCELLED_REASON = 'cancelled';
/** The reason of the jobs a node cancellation (`submit --cancel-node`) ends. */
export const nodeCancelledReason = (node: string): string => `cancelled with every job of node ${node}`;
/** The reason of the jobs a node's removal ends. */
export const nodeRemovedReason = (node: string): string => `node ${node} removed`;

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
    timeoutS: spec.timeoutS, retries: spec.retries, expect: spec.expect, attempts: 0, sends: 0, run: 1, state: 'pending', reason: '', stats: undefined,
    createdAt: now, sentAt: undefined, startedAt: undefined, finishedAt: undefined, deadline: undefined, late: undefined,
  };
}

/** What a control request asks of the core, in the order the service applies it. */
export interface Submission {
  nodes: NewNode[];
  jobs: NewJob[];
  cancel: string[];
  cancelNodes: string[];
  removeNodes: string[];
  pause: Array<{ node: string; paused: boolean }>;
}

/** The rows a submission leaves in the store: nodes and jobs written, nodes removed. */
export interface SubmissionRows {
  nodes: NodeRecord[];
  jobs: JobRecord[];
  removedNodes: string[];
}

/**
 * The rows a submission leaves in the store once the core has applied it, before anything is
 * dispatched: built with the core's own record builders, reasons and order, from its state, which
 * this only reads. The service writes them first, so that a request the store refuses changes
 * nothing; the core's own writes then follow.
 */
export function submissionRows(core: SchedulerCore, submission: Submission, now: number): SubmissionRows {
  const { state } = core;
  let seq = state.nextSeq;
  const nodes = new Map<string, NodeRecord>();
  const removed = new Set<string>();
  const nodeOf = (name: string): NodeRecord | undefined => (removed.has(name) ? undefined : nodes.get(name) ?? state.nodes.get(name));
  for (const spec of submission.nodes) {
    const existing = nodeOf(spec.name);
    if (!existing) nodes.set(spec.name, newNodeRecord(spec, seq++));
    else {
      const moved = movedNode(existing, spec);
      if (!moved) continue;
      const row: NodeRecord = { ...existing, ...moved };
      delete row.downSince;
      nodes.set(spec.name, row);
    }
  }
  const jobs = new Map<string, JobRecord>();
  const jobOf = (id: string): JobRecord | undefined => jobs.get(id) ?? state.jobs.get(id);
  for (const spec of submission.jobs) {
    // The core passes over these two as well (and says so in its log).
    if (state.jobs.has(spec.id) || jobs.has(spec.id) || !nodeOf(spec.node)) continue;
    jobs.set(spec.id, newJobRecord(spec, seq++, now));
  }
  const cancel = (job: JobRecord | undefined, reason: string): void => {
    if (job && !isFinal(job)) jobs.set(job.id, { ...job, state: 'cancelled', reason, finishedAt: now });
  };
  // A node's open jobs: the one it is busy with, the queued ones, and the ones this request queues.
  const openJobs = (name: string): JobRecord[] => {
    const busy = core.currentJob(name);
    const queued = core.index.find(name, ['pending'], 0).jobs.map((job) => jobOf(job.id)!);
    const added = [...jobs.values()].filter((job) => job.node === name && job.state === 'pending' && !state.jobs.has(job.id));
    return [...(busy ? [jobOf(busy.id)!] : []), ...queued, ...added];
  };
  for (const id of submission.cancel) cancel(jobOf(id), CANCELLED_REASON);
  for (const name of submission.cancelNodes) if (nodeOf(name)) for (const job of openJobs(name)) cancel(job, nodeCancelledReason(name));
  for (const name of submission.removeNodes) {
    if (!nodeOf(name)) continue;
    for (const job of openJobs(name)) cancel(job, nodeRemovedReason(name));
    nodes.delete(name);
    removed.add(name);
  }
  for (const { node, paused } of submission.pause) {
    const record = nodeOf(node);
    if (record && record.paused !== paused) nodes.set(node, { ...record, paused });
  }
  return { nodes: [...nodes.values()], jobs: [...jobs.values()], removedNodes: [...removed] };
}
