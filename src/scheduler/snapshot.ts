import type { Stats } from '../protocol/messages.js';
import { FINAL_STATES, type JobData, type JobRecord, type JobState } from './types.js';
import type { SchedulerCore } from './core.js';
import type { SchedulerService } from './service.js';

/** A node as `pktgen status` and the TUI show it (the control API's NodeInfo). */
export interface NodeInfo {
  name: string;
  host: string;
  port: number;
  reflector: string;
  health: 'unknown' | 'up' | 'down';
  paused: boolean;
  pending: number;
  running_job: string;
  /** 0..1 of w + t for the running job; 0 when idle. */
  progress: number;
  /** Last per-second rate the node reported for its running job, Mbit/s. */
  live_mbps: number;
  done: number;
  failed: number;
}

/** A job as `pktgen status` and the TUI show it (the control API's JobInfo). */
export interface JobInfo {
  id: string;
  node: string;
  state: JobState;
  priority: number;
  data: JobData;
  target: string;
  reason: string;
  attempts: number;
  stats?: Stats;
  /** Milliseconds since the epoch; 0 = not yet. */
  created_at: number;
  started_at: number;
  finished_at: number;
  seq: number;
}

/** What a view of the scheduler needs at one moment. */
export interface Snapshot {
  nodes: NodeInfo[];
  jobs: JobInfo[];
  /** Jobs matching the query before `limit` cut the list. */
  jobs_total: number;
}

/** Which jobs a snapshot lists. */
export interface JobQuery {
  ids?: string[];
  node?: string;
  state?: string;
  /** Keep only the newest N (by seq); 0 = all. */
  limit?: number;
}

/** Converts a job record for display or the wire. */
export function jobInfo(job: JobRecord): JobInfo {
  const info: JobInfo = {
    id: job.id, node: job.node, state: job.state, priority: job.priority, data: job.data, target: job.target,
    reason: job.reason, attempts: job.attempts, created_at: job.createdAt, started_at: job.startedAt ?? 0,
    finished_at: job.finishedAt ?? 0, seq: job.seq,
  };
  if (job.stats) info.stats = job.stats;
  return info;
}

/** Builds a snapshot of nodes (with live progress) and the jobs a query asks for, from the core's index. */
export function takeSnapshot(service: SchedulerService, query: JobQuery = {}, now = Date.now()): Snapshot {
  const { index } = service.core;
  const { jobs, total } = findJobs(service.core, query);
  const nodes = service.nodes().map((node): NodeInfo => {
    const running = service.core.currentJob(node.name);
    const live = running ? service.live.get(running.id) : undefined;
    const totalS = running ? running.data.w + running.data.t : 0;
    const elapsedS = running?.startedAt ? (live?.elapsedS ?? (now - running.startedAt) / 1000) : 0;
    return {
      name: node.name, host: node.host, port: node.port, reflector: node.reflector ?? '', health: node.health,
      paused: node.paused, pending: service.core.pendingCount(node.name), running_job: running?.id ?? '',
      progress: totalS > 0 ? Math.min(1, elapsedS / totalS) : 0, live_mbps: live?.mbps ?? 0,
      done: index.count(node.name, 'succeeded'),
      failed: FINAL_STATES.reduce((sum, state) => sum + (state === 'succeeded' ? 0 : index.count(node.name, state)), 0),
    };
  });
  return { nodes, jobs: jobs.map(jobInfo), jobs_total: total };
}

/** The newest `limit` jobs matching a query, in seq order, and how many match: ids by lookup, the rest from the index. */
function findJobs(core: SchedulerCore, query: JobQuery): { jobs: JobRecord[]; total: number } {
  if (query.ids && query.ids.length > 0) {
    const matching: JobRecord[] = [];
    for (const id of new Set(query.ids)) {
      const job = core.state.jobs.get(id);
      if (job && (!query.node || job.node === query.node) && (!query.state || job.state === query.state)) matching.push(job);
    }
    matching.sort((a, b) => a.seq - b.seq);
    return { jobs: query.limit ? matching.slice(-query.limit) : matching, total: matching.length };
  }
  return core.index.find(query.node, query.state ? [query.state] : [], query.limit ?? 0);
}
