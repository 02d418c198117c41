import { PktgenError } from '../errors.js';
import { encodeResponse } from '../protocol/control-messages.js';
import type { FrameTooLargeError } from '../transport/errors.js';
import type { JobSpec } from '../input/job.js';
import type { NewNode, SchedulerCore } from '../scheduler/core.js';
import type { ControlLimits } from './control-limits.js';

export { DEFAULT_CONTROL_LIMITS, type ControlLimits } from './control-limits.js';

/** A request over a limit; it names the limit and its value, and nothing of the request was applied. */
export class ControlLimitError extends PktgenError {
  constructor(message: string) {
    super('ERR_LIMIT', message);
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
/** `1 job exceeds`, `10,001 jobs for node m0 exceed`. */
const exceeding = (n: number, noun: string, qualifier = ''): string => `${count(n)} ${noun}${n === 1 ? '' : 's'}${qualifier} ${n === 1 ? 'exceeds' : 'exceed'}`;

/** The response to a request announced above limits.requestBytes, sent before its bytes are read. */
export function oversizeResponse(limits: ControlLimits): (error: FrameTooLargeError) => Uint8Array {
  return (error) => encodeResponse({
    error: { code: 'ERR_LIMIT', message: `request of ${count(error.length)} bytes exceeds the limit of ${count(limits.requestBytes)} bytes per control request; send it in parts` },
  });
}

/** Refuses a request with more entries than a request may hold, before any of them is checked. */
export function checkRequestSize(addNodes: number, addJobs: number, limits: ControlLimits): void {
  if (addNodes > limits.nodesPerRequest) {
    throw new ControlLimitError(`add_nodes: ${exceeding(addNodes, 'node')} the limit of ${count(limits.nodesPerRequest)} nodes per request; send them in parts`);
  }
  checkJobsPerRequest(addJobs, limits);
}

/** Refuses a request that queues more jobs (job x nodes) than a request may. */
export function checkJobsPerRequest(jobs: number, limits: ControlLimits): void {
  if (jobs > limits.jobsPerRequest) {
    throw new ControlLimitError(`add_jobs: ${count(jobs)} or more jobs (one per node a job runs on) exceed the limit of ${count(limits.jobsPerRequest)} jobs per request; send them in parts`);
  }
}

/**
 * Refuses nodes that would take the scheduler past --max-nodes. A node named again is updated in
 * place, so the count is of the nodes as they would be after the request. (Two nodes at one
 * HOST:PORT are refused when they are added: SchedulerService.addNodes.)
 */
export function checkNodes(core: SchedulerCore, nodes: NewNode[], limits: ControlLimits): void {
  const after = new Set([...core.state.nodes.keys(), ...nodes.map((node) => node.name)]);
  if (after.size > limits.maxNodes && after.size > core.state.nodes.size) {
    throw new ControlLimitError(`add_nodes: ${exceeding(after.size - core.state.nodes.size, 'new node')} --max-nodes ${limits.maxNodes} (nodes now: ${count(core.state.nodes.size)})`);
  }
}

/** Refuses jobs that would take the scheduler past --max-queued, or a node past --max-queued-per-node. */
export function checkQueued(core: SchedulerCore, jobs: Pick<JobSpec, 'nodes'>[], limits: ControlLimits, field = 'add_jobs'): void {
  const perNode = new Map<string, number>();
  for (const job of jobs) for (const node of job.nodes) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  const added = [...perNode.values()].reduce((sum, n) => sum + n, 0);
  const queued = core.openCount('');
  if (queued + added > limits.maxQueued) {
    throw new ControlLimitError(`${field}: ${exceeding(added, 'job')} --max-queued ${limits.maxQueued} (queued now: ${count(queued)})`);
  }
  for (const [node, n] of perNode) {
    const there = core.openCount(node);
    if (there + n > limits.maxQueuedPerNode) {
      throw new ControlLimitError(`${field}: ${exceeding(n, 'job', ` for node ${node}`)} --max-queued-per-node ${limits.maxQueuedPerNode} (queued there now: ${count(there)})`);
    }
  }
}
