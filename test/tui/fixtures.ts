import type { Stats } from '../../src/protocol/messages.js';
import type { JobInfo, NodeInfo, Snapshot } from '../../src/protocol/view.js';

/** A node as the scheduler reports it, idle and up unless overridden. */
export function node(name: string, patch: Partial<NodeInfo> = {}): NodeInfo {
  return {
    name, host: '127.0.0.1', port: 1729, reflector: '', legacy: false, health: 'up', paused: false, pending: 0,
    running_job: '', progress: 0, live_mbps: 0, done: 0, failed: 0, cancelled: 0, down_since: 0, ...patch,
  };
}

/** Measured statistics of a succeeded job. */
export function stats(patch: Partial<Stats> = {}): Stats {
  return {
    tx_packets: 1000, tx_bytes: 1_000_000, rx_packets: 0, rx_bytes: 0, loss_ratio: 0, tx_mbps_mean: 19.9,
    tx_mbps_std: 0.1, tx_mpps_mean: 0.01, tx_mpps_std: 0, tx_wire_mbps_mean: 20.5, rx_mbps_mean: 0,
    rx_mpps_mean: 0, requested_mbps: 20, rx_measured: false, duration_s: 30, mode: 'paced', stalls: 0,
    duplicates: 0, reordered: 0, tx_mbps: 19.96, fallback: '', rtt_note: '', threads: 1, ...patch,
  };
}

let seq = 0;
/** A job, pending unless overridden; ids look like the scheduler's (j + 12 hex digits). */
export function job(id: string, nodeName: string, patch: Partial<JobInfo> = {}): JobInfo {
  seq += 1;
  return {
    id, node: nodeName, state: 'pending', priority: 0,
    data: { m: 20, t: 30, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false },
    target: '', reason: '', attempts: 0, created_at: 1_700_000_000_000, sent_at: 0, started_at: 0, finished_at: 0, seq, ...patch,
  };
}

/** A snapshot of the given nodes and jobs. */
export function snapshot(nodes: NodeInfo[], jobs: JobInfo[] = []): Snapshot {
  return { nodes, jobs, jobs_total: jobs.length };
}

/** Three nodes mid-campaign: m0 busy at 47 % with a result, m1 idle and paused, m2 down. */
export function busySnapshot(): Snapshot {
  const t0 = 1_700_000_000_000;
  return snapshot(
    [
      node('m0', { pending: 3, running_job: 'j0a1b2c3d4e5f', progress: 0.47, live_mbps: 19.8, done: 4, failed: 1 }),
      node('m1', { port: 1731, pending: 2, paused: true, done: 2 }),
      node('m2', { host: '10.0.0.12', health: 'down', pending: 5 }),
    ],
    [
      job('j111111111111', 'm0', { state: 'succeeded', started_at: t0, finished_at: t0 + 30_000, stats: stats({ rx_measured: true, loss_ratio: 0.0001, rtt_us: { min: 50, p25: 60, p50: 70, p75: 80, p90: 90, p95: 100, p99: 123.4, p999: 200, max: 300, mean: 75, std: 10, samples: 1000 } }) }),
      job('j222222222222', 'm0', { state: 'failed', reason: 'node shutting down', started_at: t0 + 31_000, finished_at: t0 + 35_000 }),
      job('j333333333333', 'm1', { state: 'succeeded', started_at: t0 + 1000, finished_at: t0 + 31_000, stats: stats({ tx_mbps: 9.98 }) }),
      job('j0a1b2c3d4e5f', 'm0', { state: 'running', started_at: t0 + 36_000, data: { m: 20, t: 30, w: 2, n: 1, s_min: 64, s_max: 0, r: false, l: false } }),
      job('j444444444444', 'm0', { priority: 1 }),
      job('j555555555555', 'm0', { priority: 0 }),
    ],
  );
}
