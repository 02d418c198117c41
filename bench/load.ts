/**
 * Load test: `--nodes` simulated nodes x `--jobs` jobs each through one real scheduler, over
 * authenticated sessions and then the legacy wire (bench/load-harness.ts). Prints, for each wire,
 * jobs lost, jobs duplicated, the scheduler's peak RSS, wall time and jobs/s, then one JSON line.
 * Exits 0 when every job succeeded once at its own node, 1 otherwise (or past the deadline), 2 on
 * a bad flag.
 *
 *   npm run bench:load -- [--nodes 1000] [--jobs 100] [--wire both|session|legacy] [--deadline 10m]
 *                         [--hold-ms 0] [--no-sea-flags] [--tsx]
 */
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/input/duration.js';
import { describeError } from '../src/errors.js';
import type { Wire } from './scheduler-phase.js';
import { seaFlags } from './children.js';
import { runLoad, type LoadOutcome } from './load-harness.js';

const WIRES: Record<string, Wire[]> = { both: ['session', 'legacy'], session: ['session'], legacy: ['legacy'] };

function usage(message: string): never {
  console.error(`bench:load: ${message}`);
  process.exit(2);
}

const { values: flags } = (() => {
  try {
    return parseArgs({
      options: {
        nodes: { type: 'string', default: '1000' },
        jobs: { type: 'string', default: '100' },
        wire: { type: 'string', default: 'both' },
        deadline: { type: 'string', default: '10m' },
        'hold-ms': { type: 'string', default: '0' },
        'no-sea-flags': { type: 'boolean', default: false },
        tsx: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return usage(describeError(error));
  }
})();

function whole(name: string, min: number): number {
  const value = Number(flags[name as keyof typeof flags]);
  if (!Number.isInteger(value) || value < min) usage(`--${name} ${String(flags[name as keyof typeof flags])}: expected a whole number >= ${min}`);
  return value;
}

const nodes = whole('nodes', 1);
const jobsPerNode = whole('jobs', 1);
const holdMs = whole('hold-ms', 0);
const wires = WIRES[flags.wire] ?? usage(`--wire ${flags.wire}: expected both, session or legacy`);
let deadlineMs: number;
try {
  deadlineMs = parseDurationMs(flags.deadline, '--deadline');
} catch (error) {
  usage(describeError(error));
}

const count = (n: number) => n.toLocaleString('en-US');
const row = (label: string, value: string, note = '') => console.log(`  ${label.padEnd(26)} ${value.padStart(10)}  ${note}`);
/** States a job is still open in: at a deadline, these are what was waited for. */
const OPEN = new Set(['pending', 'sent', 'running']);
const parts = (counts: Record<string, number>) =>
  Object.entries(counts).map(([state, n]) => `${OPEN.has(state) ? 'still ' : ''}${state} ${count(n)}`).join(', ') || 'none';

function print(outcome: LoadOutcome): void {
  const wire = outcome.wire === 'session' ? 'authenticated sessions' : 'legacy wire';
  console.log(`\n${wire}: ${count(outcome.nodes)} nodes x ${count(outcome.jobs / outcome.nodes)} jobs = ${count(outcome.jobs)} jobs${outcome.timedOut ? ' -- DEADLINE PASSED' : ''}`);
  row('succeeded', count(outcome.succeeded));
  row(outcome.timedOut ? 'jobs lost or still open' : 'jobs lost', count(outcome.lost), parts(outcome.lostBy));
  const d = outcome.duplicatedBy;
  row('jobs duplicated', count(outcome.duplicated),
    `taken twice by a node ${count(d.arrivedTwice)}, two final results ${count(d.finishedTwice)}, at another node ${count(d.wrongNode)}, unknown to the scheduler ${count(d.unknownToScheduler)}`);
  row('never reached a node', count(outcome.neverArrived));
  row('scheduler peak RSS (MB)', outcome.peakRssMb.toFixed(1));
  row('wall time (s)', outcome.wallS.toFixed(1), `from queueing the jobs to the last final status saved; ${count(outcome.nodesUp.up)} nodes up in ${outcome.nodesUp.seconds.toFixed(1)} s before`);
  row('jobs/s', count(Math.round(outcome.jobsPerS)), `scheduler CPU ${((outcome.schedulerCpuS * 1e6) / Math.max(1, outcome.succeeded)).toFixed(0)} us a job`);
  const { sessions, statusRetries, statusFailures, outboxErrors } = outcome.sim;
  row('at the nodes', '', `sessions opened ${sessions.opened}, ended ${sessions.ended} (the scheduler's stop ends each), refused ${sessions.refused}; legacy status retries ${statusRetries}, given up ${statusFailures}; outbox errors ${outboxErrors.length}`);
  row('scheduler log', '', `${count(outcome.logs.warn)} warnings, ${count(outcome.logs.error)} errors${outcome.logs.samples.length ? `; first: ${outcome.logs.samples.join(' | ')}` : ''}`);
  if (outcome.notUp.length > 0) row('nodes not up at the end', String(outcome.notUp.length), outcome.notUp.slice(0, 10).map(([name, health]) => `${name} ${health}`).join(', '));
  if (outcome.problems.length > 0) {
    console.log(`  ${outcome.timedOut ? 'still open or' : 'jobs'} lost or duplicated (first ${outcome.problems.length}):`);
    for (const p of outcome.problems) {
      console.log(`    ${p.id} on ${p.node}: ${p.state}${p.reason ? ` (${p.reason})` : ''}; sent ${p.sends}x, taken ${p.arrivals}x, final results ${p.finishes}`);
    }
  }
}

async function main(): Promise<number> {
  const [l1, l5] = loadavg();
  console.log(`load test: ${count(nodes)} nodes x ${count(jobsPerNode)} jobs over ${wires.join(' and ')}, deadline ${flags.deadline}; ` +
    `machine ${cpus().length} cpu, load ${l1!.toFixed(2)} ${l5!.toFixed(2)}, node ${process.version}`);
  const schedulerFlags = flags['no-sea-flags'] ? [] : await seaFlags();
  const outcomes = await runLoad({ nodes, jobsPerNode, wires, deadlineMs, holdMs, tsx: flags.tsx, schedulerFlags, log: (line) => console.log(`  ... ${line}`) });
  for (const outcome of outcomes) print(outcome);
  const notRun = wires.slice(outcomes.length);
  if (notRun.length > 0) console.log(`\nnot run, the deadline having passed: ${notRun.join(', ')}`);
  console.log(JSON.stringify(Object.fromEntries(outcomes.map((o) => [o.wire, {
    jobs: o.jobs, lost: o.lost, duplicated: o.duplicated, peak_rss_mb: Number(o.peakRssMb.toFixed(1)), wall_s: Number(o.wallS.toFixed(2)),
    jobs_per_s: Math.round(o.jobsPerS), timed_out: o.timedOut,
  }]))));
  const ok = notRun.length === 0 && outcomes.every((o) => !o.timedOut && o.lost === 0 && o.duplicated === 0);
  return ok ? 0 : 1;
}

// A signal ends this process; runLoad ends the children and removes their folders at its exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench:load: ${describeError(error)}`);
    process.exit(1);
  },
);
