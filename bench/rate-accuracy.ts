/**
 * Rate accuracy of real jobs, end to end: `pktgen submit --rate ... | --pps ...` through the built
 * binary's scheduler and node, counted at an independent Node dgram sink on 127.0.0.1 (traffic goes
 * nowhere else). Every job, wait and the whole script are bounded in time.
 *
 *   npm run bench:rate [-- --duration 5]
 *
 * Prints per case the requested rate and what the sink saw of the job's measured window (no
 * warm-up: the whole job), two ways: frame bytes (or frames) over the job's t seconds, and over
 * the span between the first and the last arrival (an arrival clock, independent of the node's).
 */
import { parseArgs } from 'node:util';
import { startTestbed } from '../test/helpers/testbed.js';

const { values: flags } = parseArgs({ options: { duration: { type: 'string', default: '5' } } });
const DURATION_S = Number(flags.duration);
if (!Number.isInteger(DURATION_S) || DURATION_S < 1 || DURATION_S > 60) throw new Error(`--duration ${flags.duration}: expected 1..60 s`);

interface Case {
  flags: string[];
  sizeBytes: number;
  /** The requested rate in the unit the case counts: bit/s of frame bytes, or frames/s. */
  requested: number;
  unit: 'bit/s' | 'pps';
}

const CASES: Case[] = [
  { flags: ['--rate', '1.5M'], sizeBytes: 500, requested: 1_500_000, unit: 'bit/s' },
  { flags: ['--rate', '500k'], sizeBytes: 500, requested: 500_000, unit: 'bit/s' },
  { flags: ['--rate', '2.5M'], sizeBytes: 1000, requested: 2_500_000, unit: 'bit/s' },
  { flags: ['--pps', '10000'], sizeBytes: 64, requested: 10_000, unit: 'pps' },
];

// The whole run's bound: the jobs, plus start-up and waits, with room for a loaded machine.
const BOUND_MS = (CASES.length * (DURATION_S + 30) + 60) * 1000;
const watchdog = setTimeout(() => {
  console.error(`rate-accuracy: not done within ${BOUND_MS / 1000} s, giving up`);
  process.exit(1);
}, BOUND_MS);
watchdog.unref();

const bed = await startTestbed();
// A signal ends the script through exit; the testbed's children are then ended by their PIDs.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void bed.close().finally(() => process.exit(130)));
const pct = (achieved: number, requested: number): string => `${(((achieved - requested) / requested) * 100).toFixed(2).padStart(6)} %`;
let worst = 0;
try {
  console.log(`rate accuracy: pktgen submit -> schedule -> serve -> UDP sink on 127.0.0.1, ${DURATION_S} s jobs, no warm-up`);
  console.log(`${'job'.padEnd(16)} ${'requested'.padStart(12)} ${'over t'.padStart(12)} ${'error'.padStart(8)} ${'over arrivals'.padStart(14)} ${'error'.padStart(8)}  frames (dropped at sink)`);
  for (const c of CASES) {
    const { result, packets, dropped } = await bed.runJob(...c.flags, '--duration', String(DURATION_S), '--size', String(c.sizeBytes), '--timeout', `${DURATION_S + 30}s`);
    if (result.exitCode !== 0) throw new Error(`submit ${c.flags.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
    const frames = packets.length + dropped;
    const per = (count: number): number => (c.unit === 'pps' ? count : count * c.sizeBytes * 8);
    const overT = per(frames) / DURATION_S;
    // The span from the first arrival to the last carries every frame but the last.
    const spanS = packets.length > 1 ? Number(packets.at(-1)!.arrivalNs - packets[0]!.arrivalNs) / 1e9 : 0;
    const overArrivals = spanS > 0 ? per(packets.length - 1) / spanS : 0;
    worst = Math.max(worst, Math.abs(overT - c.requested) / c.requested);
    console.log(`${c.flags.join(' ').padEnd(16)} ${`${c.requested} ${c.unit}`.padStart(12)} ${overT.toFixed(0).padStart(12)} ${pct(overT, c.requested)} ${overArrivals.toFixed(0).padStart(14)} ${pct(overArrivals, c.requested)}  ${frames} (${dropped})`);
  }
  console.log(`worst error over t: ${(worst * 100).toFixed(2)} % (goal: within 1 %)`);
} finally {
  await bed.close();
}
