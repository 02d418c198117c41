/**
 * Store benchmark: bulk insert of 100k jobs, single-job transition throughput (3 applies per job),
 * and a restart (load of 100k jobs) in a fresh process with its RSS. Run: npx tsx bench/store.ts [jobs]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stats } from '../src/protocol/messages.js';
import type { JobRecord, NodeRecord } from '../src/scheduler/types.js';
import type { JobState } from '../src/protocol/view.js';
import { MemoryStore, SqliteStore, type SchedulerStore } from '../src/store/index.js';

const BATCH = 1000;
const NODES = 16;

const stats: Stats = {
  tx_packets: 1e6, tx_bytes: 75e7, rx_packets: 999e3, rx_bytes: 74925e4, loss_ratio: 0.001, tx_mbps_mean: 99.5,
  tx_mbps_std: 0.25, tx_mpps_mean: 0.166, tx_mpps_std: 0.001, tx_wire_mbps_mean: 101.2, rx_mbps_mean: 99.4,
  rx_mpps_mean: 0.165, requested_mbps: 100, rx_measured: true, duration_s: 10, mode: 'udp', stalls: 0,
  duplicates: 2, reordered: 5, tx_mbps: 99.5, fallback: '', rtt_note: '', threads: 1,
  rtt_us: { min: 12, p25: 20, p50: 25, p75: 31, p90: 40, p95: 48, p99: 90, p999: 150, max: 400, mean: 27.5, std: 9.1, samples: 1000 },
};

function node(i: number): NodeRecord {
  return { name: `node-${i}`, host: `10.0.0.${i}`, port: 1729, legacy: false, health: 'up', paused: false, failures: 0, retryAt: 0, seq: i };
}

function job(i: number): JobRecord {
  return {
    id: `job-${i.toString().padStart(6, '0')}`, node: `node-${i % NODES}`, priority: i % 3, seq: NODES + i, target: '',
    timeoutS: 30, retries: 1, attempts: 0, sends: 0, run: 1, state: 'pending', reason: '', createdAt: Date.now(),
    data: { m: 100, t: 10, w: 0, n: 1, s_min: 64, s_max: 1500, r: true, l: false },
  };
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Inserts `count` jobs in batches, then walks `transitions` of them through sent/running/succeeded. */
function writeLoad(store: SchedulerStore, count: number, transitions: number): { insertPerS: number; jobsPerS: number } {
  store.apply({ nodes: Array.from({ length: NODES }, (_, i) => node(i)) });
  const jobs = Array.from({ length: count }, (_, i) => job(i));
  let start = process.hrtime.bigint();
  for (let i = 0; i < count; i += BATCH) store.apply({ jobs: jobs.slice(i, i + BATCH) });
  const insertPerS = count / seconds(start);
  const steps: Array<[JobState, Partial<JobRecord>]> = [
    ['sent', { sends: 1, sentAt: 1, deadline: 2 }],
    ['running', { attempts: 1, startedAt: 3, deadline: 4 }],
    ['succeeded', { finishedAt: 5, stats, deadline: undefined }],
  ];
  start = process.hrtime.bigint();
  for (let i = 0; i < transitions; i++) {
    let current = jobs[i]!;
    for (const [state, fields] of steps) {
      current = { ...current, ...fields, state };
      store.apply({ jobs: [current] });
    }
  }
  return { insertPerS, jobsPerS: transitions / seconds(start) };
}

/** Child mode: open, load, report load time and RSS as JSON. */
function restart(path: string): void {
  const baselineMb = process.memoryUsage().rss / 2 ** 20;
  const start = process.hrtime.bigint();
  const store = SqliteStore.open(path);
  const state = store.load();
  const loadS = seconds(start);
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  store.close();
  console.log(JSON.stringify({ loadS, rssMb, baselineMb, jobs: state.jobs.size }));
}

function main(count: number): void {
  const transitions = Math.min(count, 30_000);
  const dir = mkdtempSync(join(tmpdir(), 'pktgen-bench-'));
  try {
    const path = join(dir, 'scheduler.db');
    const sqlite = SqliteStore.open(path);
    const disk = writeLoad(sqlite, count, transitions);
    sqlite.close();
    const memory = writeLoad(new MemoryStore(), count, transitions);
    const script = fileURLToPath(import.meta.url);
    const child = execFileSync(process.execPath, [...process.execArgv, script, '--restart', path], { encoding: 'utf8' });
    const load = JSON.parse(child) as { loadS: number; rssMb: number; baselineMb: number; jobs: number };
    const row = (label: string, value: string, goal: string) => console.log(`${label.padEnd(44)}${value.padStart(14)}   ${goal}`);
    console.log(`store bench: ${count} jobs, ${NODES} nodes, batches of ${BATCH}, ${transitions} jobs x 3 transitions`);
    row('insert, sqlite (jobs/s)', disk.insertPerS.toFixed(0), `memory ${memory.insertPerS.toFixed(0)}, ratio ${(disk.insertPerS / memory.insertPerS).toFixed(2)}`);
    row('transitions, sqlite (jobs/s, 3 applies each)', disk.jobsPerS.toFixed(0), `memory ${memory.jobsPerS.toFixed(0)}, ratio ${(disk.jobsPerS / memory.jobsPerS).toFixed(2)}; goal >= 5000`);
    row('transitions, sqlite (applies/s)', (disk.jobsPerS * 3).toFixed(0), '');
    row(`restart: open + load ${load.jobs} jobs (s)`, load.loadS.toFixed(3), 'goal <= 3');
    row('restart: RSS after load (MB)', load.rssMb.toFixed(1), 'goal <= 200');
    row('restart: RSS before open (MB, node + tsx)', load.baselineMb.toFixed(1), `load adds ${(load.rssMb - load.baselineMb).toFixed(1)} MB`);
    row('database size (MB)', (statSync(path).size / 2 ** 20).toFixed(1), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--restart') restart(process.argv[3]!);
else main(Number(process.argv[2] ?? 100_000));
