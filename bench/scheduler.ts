/**
 * Scheduler benchmark: a real SchedulerService on a real SQLite store, on loopback, against simulated
 * nodes that answer every job at once (bench/sim-nodes.ts, a child process). Each scheduler run is a
 * child process of its own (bench/scheduler-phase.ts), so its RSS and CPU are its own.
 *
 *   npx tsx bench/scheduler.ts [--nodes 1000] [--jobs 100000] [--queued 100000] [--human-jobs 30000]
 *                              [--max-seconds 120] [--cpu-prof DIR]
 *
 * Prints: dispatch rate, status-to-next-job latency, RSS with --queued jobs queued, restart time,
 * each with the ratio measured/goal, and the cost of the human-readable logger.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { PhaseConfig, PhaseResult } from './scheduler-phase.js';
import type { SimCommand, SimReport } from './sim-nodes.js';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '100000' },
    queued: { type: 'string', default: '100000' },
    'human-jobs': { type: 'string', default: '30000' },
    'max-seconds': { type: 'string', default: '120' },
    'cpu-prof': { type: 'string' },
  },
});
const nodes = Number(flags.nodes);
const jobs = Number(flags.jobs);
const queued = Number(flags.queued);
const humanJobs = Number(flags['human-jobs']);
const maxSeconds = Number(flags['max-seconds']);
for (const [name, value] of Object.entries({ nodes, jobs, queued, 'human-jobs': humanJobs, 'max-seconds': maxSeconds })) {
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} ${String(value)}: expected a whole number >= 0`);
    process.exit(2);
  }
}

const GOALS = { jobsPerS: 5000, p99Ms: 5, rssMb: 200, restartS: 3 };
const children = new Set<ChildProcess>();
const dirs: string[] = [];

function cleanUp(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function start(script: string, args: string[], execArgv = process.execArgv): ChildProcess {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The child's next message of `type`; rejects if the child exits first. */
function next<T extends { type?: string; phase?: string }>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.type !== type && message.phase !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`${type}: child exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function sim<T>(child: ChildProcess, command: SimCommand, answer: string): Promise<T> {
  const reply = next<T & { type: string }>(child, answer);
  child.send(command);
  return reply;
}

/** Runs one scheduler phase in a fresh process; resolves with its result and the wall time from fork. */
async function phase<P extends PhaseResult['phase']>(config: PhaseConfig & { phase: P }, profile = false) {
  const execArgv = profile && flags['cpu-prof'] ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] : process.execArgv;
  const forkedAt = performance.now();
  const child = start('./scheduler-phase.ts', [JSON.stringify(config)], execArgv);
  const result = await next<Extract<PhaseResult, { phase: P }>>(child, config.phase);
  const sinceForkS = (performance.now() - forkedAt) / 1000;
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  return { ...result, sinceForkS };
}

const row = (label: string, value: string, note = '') => console.log(`${label.padEnd(50)}${value.padStart(12)}   ${note}`);
const ratio = (measured: number, goal: number, better: 'higher' | 'lower') => {
  const r = measured / goal;
  const met = better === 'higher' ? r >= 1 : r <= 1;
  return `goal ${better === 'higher' ? '>=' : '<='} ${goal}, measured/goal ${r.toFixed(2)} ${met ? 'MET' : 'MISSED'}`;
};

async function main(): Promise<void> {
  const [l1, l5] = loadavg();
  console.log(`scheduler bench: ${nodes} nodes, ${jobs} jobs (human logger run: ${humanJobs}), ${queued} queued for RSS/restart`);
  console.log(`machine: ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), load ${l1!.toFixed(2)} ${l5!.toFixed(2)}, node ${process.version}`);
  const simNodes = start('./sim-nodes.ts', [String(nodes)]);
  const { ports } = await next<{ type: 'ready'; ports: number[] }>(simNodes, 'ready');
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktgen-bench-scheduler-'));
    dirs.push(dir);
    return dir;
  };

  const fast = await phase({ phase: 'throughput', stateDir: stateDir(), ports, jobs, logger: 'discard', maxSeconds }, true);
  const fastSim = await sim<SimReport>(simNodes, { type: 'report' }, 'report');
  const human = humanJobs > 0 ? await phase({ phase: 'throughput', stateDir: stateDir(), ports, jobs: humanJobs, logger: 'human', maxSeconds }) : undefined;
  const humanSim = await sim<SimReport>(simNodes, { type: 'report' }, 'report');
  await sim(simNodes, { type: 'mode', silent: true }, 'mode');
  const queueDir = stateDir();
  const queue = await phase({ phase: 'queue', stateDir: queueDir, ports, jobs: queued, settleMs: 2000 });
  const restart = await phase({ phase: 'restart', stateDir: queueDir });
  simNodes.send({ type: 'stop' } satisfies SimCommand);

  const rate = fast.completed / fast.wallS;
  console.log('');
  row('1. jobs/s dispatched end-to-end (completed / wall)', rate.toFixed(0), ratio(rate, GOALS.jobsPerS, 'higher'));
  row('   completed / wall (s)', `${fast.completed} / ${fast.wallS.toFixed(2)}`,
    `${fast.drained ? 'drained' : `NOT drained after ${maxSeconds} s`}, ${fast.unfinished} unfinished, ${fast.notSucceeded} not succeeded; addJobs ${fast.queueS.toFixed(2)} s`);
  row('   scheduler event-loop delay p50/p99/max (ms)', `${fast.loopDelayMs.p50.toFixed(1)}/${fast.loopDelayMs.p99.toFixed(1)}/${fast.loopDelayMs.max.toFixed(0)}`);
  row('   scheduler RSS at drain / peak (MB)', `${fast.rssMb.toFixed(0)} / ${fast.maxRssMb.toFixed(0)}`);
  row('   log records info/warn/error (discarded)', `${fast.logs.info}/${fast.logs.warn}/${fast.logs.error}`, fast.logs.samples.join(' | '));
  const l = fastSim.latencyMs;
  row('2. status-to-next-job latency p50 (ms)', l.p50.toFixed(2), 'simulator: SUCCESS written -> same node\'s next job received');
  row('   status-to-next-job latency p99 (ms)', l.p99.toFixed(2), ratio(l.p99, GOALS.p99Ms, 'lower'));
  row('   p90 / p99.9 / max (ms), samples', `${l.p90.toFixed(2)} / ${l.p999.toFixed(2)} / ${l.max.toFixed(1)}`, `${l.count} samples; status retries ${fastSim.statusRetries}, failures ${fastSim.statusFailures}`);
  row(`3. RSS with ${queue.queued + queue.inFlight} jobs queued (MB)`, queue.rssMb.toFixed(0),
    `${ratio(queue.rssMb, GOALS.rssMb, 'lower')}; ${queue.queued} pending + ${queue.inFlight} sent to silent nodes; peak ${queue.maxRssMb.toFixed(0)} MB, heap used ${queue.heapUsedMb.toFixed(0)} MB`);
  row('   RSS after restart with them (MB)', restart.rssMb.toFixed(0), `peak ${restart.maxRssMb.toFixed(0)} MB`);
  row(`4. restart with ${restart.queued + restart.inFlight} queued: open..listening (s)`, restart.totalS.toFixed(2),
    `${ratio(restart.totalS, GOALS.restartS, 'lower')}; open ${restart.openS.toFixed(2)} + construct ${restart.constructS.toFixed(2)} + start ${restart.startS.toFixed(2)}`);
  row('   restart: process start..listening (s)', restart.processS.toFixed(2), `${ratio(restart.processS, GOALS.restartS, 'lower')}; node + tsx startup included (fork..result ${restart.sinceForkS.toFixed(2)} s)`);
  if (human) {
    const humanRate = human.completed / human.wallS;
    row('human logger: jobs/s (lines to a file)', humanRate.toFixed(0),
      `vs ${rate.toFixed(0)} discarding (${((1 - humanRate / rate) * 100).toFixed(0)}% slower); ${human.logs.info} lines, ${(human.logBytes / 2 ** 20).toFixed(1)} MB, ${human.completed} jobs`);
    row('human logger: latency p50/p99 (ms)', `${humanSim.latencyMs.p50.toFixed(2)}/${humanSim.latencyMs.p99.toFixed(2)}`);
  }
  if (fast.wallS < 10) console.log(`note: the run took ${fast.wallS.toFixed(1)} s (< 10 s): pass a larger --jobs`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
