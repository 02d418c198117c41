import type { Stats } from '../../src/protocol/messages.js';
import type { JobRecord, NodeRecord } from '../../src/scheduler/types.js';

/** A node with no optional field set. */
export function makeNode(name: string, seq: number, fields: Partial<NodeRecord> = {}): NodeRecord {
  return { name, host: `10.0.0.${seq + 1}`, port: 1729, legacy: false, health: 'unknown', paused: false, failures: 0, retryAt: 0, seq, ...fields };
}

/** A pending job with no optional field set. */
export function makeJob(id: string, node: string, seq: number, fields: Partial<JobRecord> = {}): JobRecord {
  return {
    id, node, priority: 0, seq, target: '', timeoutS: 30, retries: 1, attempts: 0, sends: 0, run: 1, state: 'pending',
    reason: '', createdAt: 1_700_000_000_000,
    data: { m: 100, t: 10, w: 0, n: 1, s_min: 64, s_max: 1500, r: true, l: false },
    ...fields,
  };
}

/** Stats as a node reports them, RTT percentiles included. */
export const fullStats: Stats = {
  tx_packets: 1_000_000, tx_bytes: 750_000_000, rx_packets: 999_000, rx_bytes: 749_250_000, loss_ratio: 0.001,
  tx_mbps_mean: 99.5, tx_mbps_std: 0.25, tx_mpps_mean: 0.166, tx_mpps_std: 0.001, tx_wire_mbps_mean: 101.2,
  rx_mbps_mean: 99.4, rx_mpps_mean: 0.165, requested_mbps: 100, rx_measured: true, duration_s: 10, mode: 'udp',
  stalls: 0, duplicates: 2, reordered: 5, tx_mbps: 99.5, fallback: '', rtt_note: '', threads: 1,
  rtt_us: { min: 12, p25: 20, p50: 25, p75: 31, p90: 40, p95: 48, p99: 90, p999: 150, max: 400, mean: 27.5, std: 9.1, samples: 1000 },
};

/** A finished job with every optional field set. */
export function finishedJob(id: string, node: string, seq: number): JobRecord {
  return makeJob(id, node, seq, {
    priority: 5, target: 'beta', attempts: 2, sends: 3, state: 'succeeded', reason: 'done', stats: structuredClone(fullStats), expect: { maxLossPct: 0.1, minRatePct: 99 },
    sentAt: 1_700_000_001_000, startedAt: 1_700_000_001_500, finishedAt: 1_700_000_011_500, deadline: 1_700_000_041_500,
  });
}
