import { type JobInfo, type JobState, type NodeInfo, type Snapshot } from '../protocol/view.js';
import type { JobRecord } from './types.js';
import { expectationsJson } from '../input/job.js';
import type { SchedulerCore } from './core.js';
import type { SchedulerService } from './service.js';

/** Which jobs a snapshot lists. */
export interface JobQuery {
  ids?: string[];
  node?: string;
  /** Only jobs in these states; empty = every state. */
  states?: readonly JobState[];
  /** Keep only the newest N (by seq); 0 = all. */
  limit?: number;
}

/** Converts a job record for display or the wire. */
export function jobInfo(job: JobRecord): JobInfo {
  const info: JobInfo = {
    id: job.id, node: job.node, state: job.state, priority: job.priority, data: job.data, target: job.target,
    reason: job.reason, attempts: job.attempts, created_at: job.createdAt, sent_at: job.sentAt ?? 0, started_at: job.startedAt ?? 0,
    finished_at: job.finishedAt ?? 0, seq: job.seq,
  };
  if (job.stats) info.stats = job.stats;
  if (job.late) info.late = job.late;
  if (job.expect) info.expect = expectationsJson(job.expect);
  return info;
}

/** Builds a snapshot of nodes (with live progress) and the jobs a query asks for, from the core's index. */
export function takeSnapshot(service: SchedulerService, query: JobQuery = {}, now = Date.now()): Snapshot {
  const { jobs, total } = findJobs(service.core, query);
  return { nodes: nodeInfos(service, now), jobs: jobs.map((job) => withLiveIntervals(service, job)), jobs_total: total };
}

/** A job as jobInfo gives it, and while it runs, the newest intervals its node reported. */
function withLiveIntervals(service: SchedulerService, job: JobRecord): JobInfo {
  const info = jobInfo(job);
  const intervals = job.state === 'running' ? service.live.get(job.id)?.intervals() : undefined;
  if (intervals?.length) info.intervals = intervals;
  return info;
}

/** Every node as a view shows it, in insertion order, with live progress of its running job. */
export function nodeInfos(service: SchedulerService, now = Date.now()): NodeInfo[] {
  const { index } = service.core;
  return service.nodes().map((node): NodeInfo => {
    const running = service.core.currentJob(node.name);
    const live = running ? service.live.get(running.id) : undefined;
    const totalS = running ? running.data.w + running.data.t : 0;
    const elapsedS = running?.startedAt ? (live?.elapsedS ?? (now - running.startedAt) / 1000) : 0;
    return {
      name: node.name, host: node.host, port: node.port, reflector: node.reflector ?? '', legacy: node.legacy, health: node.health,
      paused: node.paused, pending: service.core.pendingCount(node.name), running_job: running?.id ?? '',
      progress: totalS > 0 ? Math.min(1, elapsedS / totalS) : 0, live_mbps: live?.mbps ?? 0,
      done: index.count(node.name, 'succeeded'),
      failed: index.count(node.name, 'failed') + index.count(node.name, 'lost'),
      cancelled: index.count(node.name, 'cancelled'),
      down_since: node.downSince ?? 0,
    };
  });
}

/** For the pending ones of `ids`: how many jobs come before each on its node (SchedulerCore.queuedAhead). */
export function queuedAhead(core: SchedulerCore, ids: readonly string[]): Record<string, number> {
  const jobs = ids.map((id) => core.state.jobs.get(id)).filter((job) => job !== undefined);
  return Object.fromEntries(core.queuedAhead(jobs));
}

/** The newest `limit` jobs matching a query, in seq order, and how many match: ids by lookup, the rest from the index. */
function findJobs(core: SchedulerCore, query: JobQuery): { jobs: JobRecord[]; total: number } {
  if (query.ids && query.ids.length > 0) {
    const matching: JobRecord[] = [];
    for (const id of new Set(query.ids)) {
      const job = core.state.jobs.get(id);
      if (job && (!query.node || job.node === query.node) && (!query.states?.length || query.states.includes(job.state))) matching.push(job);
    }
    matching.sort((a, b) => a.seq - b.seq);
    return { jobs: query.limit ? matching.slice(-query.limit) : matching, total: matching.length };
  }
  return core.index.find(query.node, query.states ?? [], query.limit ?? 0);
}
