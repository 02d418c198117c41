/**
 * Scheduler benchmark: a real SchedulerService on a real SQLite store, on loopback, against simulated
 * nodes that answer every job at once (bench/sim-nodes.ts, a child process), driven over
 * authenticated sessions and over the legacy wire in the same run, with the same nodes and jobs.
 * Each scheduler run is a child process of its own (bench/scheduler-phase.ts), so its RSS and CPU
 * are its own. Both children run bundled by esbuild on plain node, as dist/pktgen.mjs does (--tsx
 * runs them from sources); the scheduler runs with the V8 flags dist/pktgen carries (SEA_EXEC_ARGV,
 * scripts/build-sea.mjs) unless --no-sea-flags is given. The session runs use a random key made
 * here and handed to both children over IPC.
 *
 *   npm run bench:scheduler -- [flags]   (= npx tsx bench/scheduler.ts [flags])
 *   [--nodes 1000] [--jobs 100000] [--one-node-jobs 5000] [--warmup-jobs 1000] [--queued 100000] [--human-jobs 30000]
 *   [--paced-jobs 20000] [--hold-ms 250] [--max-seconds 120] [--cpu-prof DIR] [--node-options=--trace-gc,...] [--no-sea-flags] [--tsx]
 *
 * --cpu-prof DIR writes V8 CPU profiles of the scheduler's two dispatch runs at --nodes nodes
 * (scheduler-throughput-session.cpuprofile, ...-legacy) and of the simulator's whole life (sim-nodes).
 *
 * Prints, for each wire: dispatch rate at --nodes nodes, status-to-next-job latency there (at full
 * speed and below saturation) and at one node, RSS with --queued jobs queued; then the restart time
 * and the cost of the human-readable logger; each with the ratio measured/goal. Last, one JSON line
 * with the figures of issue 10 and "met" / "not met" for each of its goals.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ask as askChild, BenchChildren, exited, next, seaFlags as schedulerSeaFlags, SIM_ANSWER_MS } from './children.js';
import type { PhaseConfig, PhaseResult, Wire } from './scheduler-phase.js';
import type { SimCommand, SimReport } from './sim-nodes.js';
import type { Summary } from './stats.js';
import {
  GOALS, ms, printDispatch, printOneNode, printPaced, printQueue, printRestart, rate, row, summaryLine, type Measured, type Queue, type Throughput,
} from './scheduler-report.js';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '100000' },
    'one-node-jobs': { type: 'string', default: '5000' },
    'warmup-jobs': { type: 'string', default: '1000' },
    queued: { type: 'string', default: '100000' },
    'human-jobs': { type: 'string', default: '30000' },
    'paced-jobs': { type: 'string', default: '20000' },
    'hold-ms': { type: 'string', default: '250' },
    'max-seconds': { type: 'string', default: '120' },
    'cpu-prof': { type: 'string' },
    'node-options': { type: 'string', default: '' },
    'no-sea-flags': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
  },
});
const counts = {
  nodes: Number(flags.nodes), jobs: Number(flags.jobs), queued: Number(flags.queued),
  'one-node-jobs': Number(flags['one-node-jobs']), 'warmup-jobs': Number(flags['warmup-jobs']),
  'human-jobs': Number(flags['human-jobs']), 'paced-jobs': Number(flags['paced-jobs']), 'hold-ms': Number(flags['hold-ms']),
  'max-seconds': Number(flags['max-seconds']),
};
for (const [name, value] of Object.entries(counts)) {
  if (!Number.isInteger(value) || value < 0 || (name === 'nodes' && value === 0)) {
    console.error(`--${name} ${String(value)}: expected a whole number >= ${name === 'nodes' ? 1 : 0}`);
    process.exit(2);
  }
}

const bench = new BenchChildren('pktgen-bench-scheduler-');

// Children are killed and temp folders removed however the bench ends.
process.on('exit', () => bench.close());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const tempDir = () => bench.tempDir();
const start = (path: string, args: string[], execArgv: string[]) => bench.start(path, args, execArgv);
const ask = <T>(child: ChildProcess, command: SimCommand, answer: string) => askChild<T>(child, command, answer);

/** An echo server in this process, on loopback: the far end of the simulator's round trips. */
function echoServer(): Promise<Server> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Busy and total CPU time of the whole machine so far (s), from /proc/stat; undefined elsewhere. */
function machineCpu(): { busyS: number; totalS: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busyS: (total - idle) / 100, totalS: total / 100 };
}

/** A jobs file in the legacy format: `count` zero-length jobs spread over the nodes, 4 priorities. */
function jobsJson(count: number, nodes: number): string {
  const data = '{"m": 0, "t": 1, "w": 0, "n": 1, "s_min": 64, "s_max": 0, "r": false, "l": false}';
  const jobs = Array.from({ length: count }, (_, i) => `{"nodes": ["n${i % nodes}"], "priority": ${i % 4}, "data": ${data}}`);
  return `{"jobs": [\n${jobs.join(',\n')}\n]}\n`;
}

async function main(): Promise<void> {
  const [l1, l5] = loadavg();
  console.log(`scheduler bench: ${counts.nodes} nodes, ${counts.jobs} jobs over sessions and over the legacy wire (human logger run: ${counts['human-jobs']}), ` +
    `${counts['one-node-jobs']} at one node after ${counts['warmup-jobs']} to warm up, ${counts.queued} queued for RSS/restart`);
  console.log(`machine: ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), load ${l1!.toFixed(2)} ${l5!.toFixed(2)}, node ${process.version}, ${flags.tsx ? 'tsx' : 'esbuild bundle'}`);
  const { phase: phaseScript, sim: simScript, execArgv } = await bench.scripts(flags.tsx);
  const seaFlags = flags['no-sea-flags'] ? [] : await schedulerSeaFlags();
  console.log(`scheduler flags: ${[...seaFlags, ...flags['node-options'].split(',').filter(Boolean)].join(' ') || '(none)'}${flags['no-sea-flags'] ? ' (--no-sea-flags)' : ''}`);
  // The cluster key of the session runs: over IPC only, never on a command line or in the environment.
  const key = randomBytes(32).toString('hex');
  const maxSeconds = counts['max-seconds'];
  const sim = start(simScript, [String(counts.nodes)], flags['cpu-prof'] ? [...execArgv, '--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`, '--cpu-prof-name=sim-nodes.cpuprofile'] : execArgv);
  sim.send({ type: 'key', key } satisfies SimCommand);
  const { ports } = await next<{ ports: number[] }>(sim, 'ready', SIM_ANSWER_MS);
  const report = () => ask<SimReport>(sim, { type: 'report' }, 'report');

  const phase = async <P extends PhaseResult['phase']>(config: PhaseConfig & { phase: P }, profile = false) => {
    const extra = [...seaFlags, ...flags['node-options'].split(',').filter(Boolean)];
    const profiled = ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`, `--cpu-prof-name=scheduler-${config.phase}-${'wire' in config ? config.wire : ''}.cpuprofile`];
    const args = profile && flags['cpu-prof'] ? [...execArgv, ...extra, ...profiled] : [...execArgv, ...extra];
    const forkedAt = performance.now();
    const child = start(phaseScript, [JSON.stringify(config)], args);
    if (config.wire === 'session') child.send({ type: 'key', key });
    // Setting up (1,000 handshakes, or a file of 100k jobs), a warm-up and the run: each bounded in the child.
    const result = next<Extract<PhaseResult, { phase: P }>>(child, config.phase, (3 * maxSeconds + 60) * 1000);
    if ('warmupJobs' in config && config.warmupJobs > 0) {
      await next(child, 'warm', (maxSeconds + 60) * 1000);
      await report();
      child.send({ type: 'go' });
    }
    const answer = await result;
    const sinceForkS = (performance.now() - forkedAt) / 1000;
    // It exits once its answer is sent; a child that does not is killed when the bench ends.
    await exited(child, 10_000);
    return { ...answer, sinceForkS };
  };
  const throughput = (wire: Wire, jobs: number, more: Partial<Extract<PhaseConfig, { phase: 'throughput' }>> = {}, profile = false) =>
    phase({ phase: 'throughput', wire, stateDir: tempDir(), ports, jobs, warmupJobs: 0, logger: 'discard', maxSeconds, ...more }, profile);
  /** A run at full speed, with the simulator's view and what the rest of the machine used meanwhile. */
  const measured = async (wire: Wire): Promise<Measured> => {
    await report();
    const cpuBefore = machineCpu();
    const run = await throughput(wire, counts.jobs, {}, true);
    const simReport = await report();
    const cpuAfter = machineCpu();
    // Other users' work and the kernel's own threads.
    const othersPct = cpuBefore && cpuAfter ? (100 * (cpuAfter.busyS - cpuBefore.busyS - run.cpuS - simReport.cpuS)) / run.sinceForkS : Number.NaN;
    return { run, sim: simReport, othersPct };
  };
  /** A run whose latency is what counts: the simulator's view of it since the run began. */
  const withSim = async (run: () => Promise<Throughput>) => {
    await report();
    return { run: await run(), sim: await report() };
  };

  const fast = { session: await measured('session'), legacy: await measured('legacy') };
  const human = counts['human-jobs'] > 0 ? await throughput('session', counts['human-jobs'], { logger: 'human' }) : undefined;
  // Below saturation: jobs last --hold-ms on average at their node, so 1,000 nodes offer at most
  // nodes / hold jobs/s and the scheduler's queues stay short; latency is then the scheduler's own.
  await ask(sim, { type: 'mode', silent: false, holdMs: counts['hold-ms'] }, 'mode');
  const paced = counts['paced-jobs'] > 0
    ? { session: await withSim(() => throughput('session', counts['paced-jobs'])), legacy: await withSim(() => throughput('legacy', counts['paced-jobs'])) }
    : undefined;
  // One node, jobs back to back: status to next job with nothing else to do; and the floor under it.
  await ask(sim, { type: 'mode', silent: false, holdMs: 0 }, 'mode');
  const echo = await echoServer();
  const floor = (await ask<{ latencyMs: Summary }>(sim, { type: 'roundTrips', port: (echo.address() as { port: number }).port, count: 20_000 }, 'roundTrips')).latencyMs;
  echo.close();
  const oneNode = async (wire: Wire) => {
    const run = await throughput(wire, counts['one-node-jobs'], { ports: ports.slice(0, 1), warmupJobs: counts['warmup-jobs'] });
    return { run, sim: await report() };
  };
  const one = counts['one-node-jobs'] > 0 ? { session: await oneNode('session'), legacy: await oneNode('legacy') } : undefined;
  await ask(sim, { type: 'mode', silent: true, holdMs: 0 }, 'mode');
  const jobsFile = join(tempDir(), 'jobs.json');
  writeFileSync(jobsFile, jobsJson(counts.queued, counts.nodes));
  const queueDir = tempDir();
  const settleMs = Number(process.env.SETTLE_MS ?? 2000);
  const queue: Record<Wire, Queue> = {
    session: await phase({ phase: 'queue', wire: 'session', stateDir: queueDir, ports, jobsFile, settleMs }),
    legacy: await phase({ phase: 'queue', wire: 'legacy', stateDir: tempDir(), ports, jobsFile, settleMs }),
  };
  const restart = await phase({ phase: 'restart', wire: 'session', stateDir: queueDir });
  // Stopped, not killed, when it answers within 5 s: a --cpu-prof profile is written at a clean exit.
  sim.send({ type: 'stop' } satisfies SimCommand);
  await exited(sim, 5000);

  console.log('');
  printDispatch('session', fast.session, maxSeconds, GOALS.sessionJobsPerS);
  row('   sessions / legacy, jobs/s', `${(rate(fast.session.run) / rate(fast.legacy.run)).toFixed(2)}x`, `goal >= ${GOALS.sessionOverLegacy}x`);
  printDispatch('legacy', fast.legacy, maxSeconds, GOALS.legacyJobsPerS);
  if (paced) {
    printPaced('session', paced.session.run, paced.session.sim, counts['hold-ms']);
    printPaced('legacy', paced.legacy.run, paced.legacy.sim, counts['hold-ms']);
  }
  if (one) {
    printOneNode('session', one.session.run, one.session.sim, GOALS.sessionP99Ms1Node);
    printOneNode('legacy', one.legacy.run, one.legacy.sim, GOALS.legacyP99Ms1Node);
  }
  row('floor: 150-byte echo between two processes p50/p99 (ms)', `${ms(floor.p50)}/${ms(floor.p99)}`,
    `p90 ${ms(floor.p90)}, p99.9 ${ms(floor.p999)}, ${floor.count} round trips on loopback: the least status to next job can take here`);
  printQueue('session', queue.session, GOALS.rssMb);
  printQueue('legacy', queue.legacy, GOALS.rssMb);
  printRestart(restart);
  if (human) {
    const humanCpuUs = (human.cpuS * 1e6) / Math.max(1, human.completed);
    const cpuPerJobUs = (fast.session.run.cpuS * 1e6) / Math.max(1, fast.session.run.completed);
    row('session, human logger: scheduler CPU per job (us)', humanCpuUs.toFixed(0),
      `vs ${cpuPerJobUs.toFixed(0)} discarding: +${(humanCpuUs - cpuPerJobUs).toFixed(0)} us/job; ${rate(human).toFixed(0)} jobs/s; ${human.logs.info} lines, ${(human.logBytes / 2 ** 20).toFixed(1)} MB for ${human.completed} jobs`);
    row('session, human logger: latency p50/p99 (ms)', `${ms(human.latencyMs.p50)}/${ms(human.latencyMs.p99)}`);
  }
  for (const wire of ['session', 'legacy'] as const) {
    if (fast[wire].run.wallS < 10) console.log(`note: the ${wire} run took ${fast[wire].run.wallS.toFixed(1)} s (< 10 s): pass a larger --jobs`);
  }
  const [e1, e5] = loadavg();
  console.log(`load at the end: ${e1!.toFixed(2)} ${e5!.toFixed(2)}`);
  console.log(summaryLine({
    session_jobs_per_s: rate(fast.session.run),
    legacy_jobs_per_s: rate(fast.legacy.run),
    session_p99_ms_1node: one ? one.session.sim.latencyMs.p99 : null,
    legacy_p99_ms_1node: one ? one.legacy.sim.latencyMs.p99 : null,
    rss_mb_100k_queued: queue.session.rssMb,
  }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
