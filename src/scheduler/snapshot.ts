import { FINAL_STATES, type JobInfo, type JobState, type NodeInfo, type Snapshot } from '../protocol/view.js';
import type { JobRecord } from './types.js';
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
    reason: job.reason, attempts: job.attempts, created_at: job.createdAt, started_at: job.startedAt ?? 0,
    finished_at: job.finishedAt ?? 0, seq: job.seq,
  };
  if (job.stats) info.stats = job.stats;
  return info;
}

/** Builds a snapshot of nodes (with live progress) and the jobs a query asks for. */
export function takeSnapshot(service: SchedulerService, query: JobQuery = {}, now = Date.now()): Snapshot {
  const counts = new Map<string, { done: number; failed: number }>();
  const ids = query.ids && query.ids.length > 0 ? new Set(query.ids) : undefined;
  const matching: JobRecord[] = [];
  for (const job of service.core.state.jobs.values()) {
    const count = counts.get(job.node) ?? { done: 0, failed: 0 };
    if (job.state === 'succeeded') count.done += 1;
    else if (FINAL_STATES.includes(job.state)) count.failed += 1;
    counts.set(job.node, count);
    if (ids && !ids.has(job.id)) continue;
    if (query.node && job.node !== query.node) continue;
    if (query.states?.length && !query.states.includes(job.state)) continue;
    matching.push(job);
  }
  matching.sort((a, b) => a.seq - b.seq);
  const limited = query.limit ? matching.slice(-query.limit) : matching;
  const nodes = service.nodes().map((node): NodeInfo => {
    const running = service.core.currentJob(node.name);
    const live = running ? service.live.get(running.id) : undefined;
    const totalS = running ? running.data.w + running.data.t : 0;
    const elapsedS = running?.startedAt ? (live?.elapsedS ?? (now - running.startedAt) / 1000) : 0;
    return {
      name: node.name, host: node.host, port: node.port, reflector: node.reflector ?? '', health: node.health,
      paused: node.paused, pending: service.core.pendingCount(node.name), running_job: running?.id ?? '',
      progress: totalS > 0 ? Math.min(1, elapsedS / totalS) : 0, live_mbps: live?.mbps ?? 0,
      done: counts.get(node.name)?.done ?? 0, failed: counts.get(node.name)?.failed ?? 0,
    };
  });
  return { nodes, jobs: limited.map(jobInfo), jobs_total: matching.length };
}
