/**
 * Scheduler benchmark: a real SchedulerService on a real SQLite store, on loopback, against simulated
 * nodes that answer every job at once (bench/sim-nodes.ts, a child process). Each scheduler run is a
 * child process of its own (bench/scheduler-phase.ts), so its RSS and CPU are its own. Both children
 * run bundled by esbuild on plain node, as dist/pktgen.mjs does (--tsx runs them from sources); the
 * scheduler runs with the V8 flags dist/pktgen carries (SEA_EXEC_ARGV, scripts/build-sea.mjs) unless
 * --no-sea-flags is given.
 *
 *   npx tsx bench/scheduler.ts [--nodes 1000] [--jobs 100000] [--queued 100000] [--human-jobs 30000] [--paced-jobs 20000] [--hold-ms 250]
 *                              [--max-seconds 120] [--cpu-prof DIR] [--node-options=--trace-gc,...] [--no-sea-flags] [--tsx]
 *
 * Prints: dispatch rate, status-to-next-job latency, RSS with --queued jobs queued, restart time,
 * each with the ratio measured/goal, and the cost of the human-readable logger.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { PhaseConfig, PhaseResult } from './scheduler-phase.js';
import type { SimCommand, SimReport } from './sim-nodes.js';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '100000' },
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
  'human-jobs': Number(flags['human-jobs']), 'paced-jobs': Number(flags['paced-jobs']), 'hold-ms': Number(flags['hold-ms']),
  'max-seconds': Number(flags['max-seconds']),
};
for (const [name, value] of Object.entries(counts)) {
  if (!Number.isInteger(value) || value < 0 || (name === 'nodes' && value === 0)) {
    console.error(`--${name} ${String(value)}: expected a whole number >= ${name === 'nodes' ? 1 : 0}`);
    process.exit(2);
  }
}

const GOALS = { jobsPerS: 5000, p99Ms: 5, rssMb: 200, restartS: 3 };
const children = new Set<ChildProcess>();
const dirs: string[] = [];

// Children are killed and temp folders removed however the bench ends.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pktgen-bench-scheduler-'));
  dirs.push(dir);
  return dir;
}

/** The scripts to fork: esbuild bundles (run by plain node) or, with --tsx, the sources. */
async function scripts(): Promise<{ phase: string; sim: string; execArgv: string[] }> {
  const source = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  if (flags.tsx) return { phase: source('./scheduler-phase.ts'), sim: source('./sim-nodes.ts'), execArgv: process.execArgv };
  const outdir = tempDir();
  // A computed specifier: scripts/ is plain JavaScript without type declarations.
  const { BUNDLE_ALIAS } = (await import(new URL('../scripts/build-bundle.mjs', import.meta.url).href)) as { BUNDLE_ALIAS: Record<string, string> };
  await build({
    alias: BUNDLE_ALIAS,
    entryPoints: [source('./scheduler-phase.ts'), source('./sim-nodes.ts')], outdir, outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', format: 'esm', target: 'node24', logLevel: 'warning',
    // protobufjs is CommonJS: give the bundle a require, as scripts/build-bundle.mjs does.
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
  });
  return { phase: join(outdir, 'scheduler-phase.mjs'), sim: join(outdir, 'sim-nodes.mjs'), execArgv: [] };
}

function start(path: string, args: string[], execArgv: string[]): ChildProcess {
  const child = fork(path, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The child's next message of `type` (or phase `type`); rejects if the child exits first. */
function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; phase?: string }) => {
      if (message.type !== type && message.phase !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`${type}: child exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function ask<T>(child: ChildProcess, command: SimCommand, answer: string): Promise<T> {
  const reply = next<T>(child, answer);
  child.send(command);
  return reply;
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

const row = (label: string, value: string, note = '') => console.log(`${label.padEnd(52)}${value.padStart(14)}   ${note}`);
// NaN (no samples) crosses IPC as null.
const ms = (value: number | null) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(2));
function ratio(measured: number | null, goal: number, better: 'higher' | 'lower'): string {
  if (measured === null || Number.isNaN(measured)) return `goal ${better === 'higher' ? '>=' : '<='} ${goal}: not measured`;
  const r = measured / goal;
  const met = better === 'higher' ? r >= 1 : r <= 1;
  return `goal ${better === 'higher' ? '>=' : '<='} ${goal}: measured/goal ${r.toFixed(2)} ${met ? 'MET' : 'MISSED'}`;
}

async function main(): Promise<void> {
  const [l1, l5] = loadavg();
  console.log(`scheduler bench: ${counts.nodes} nodes, ${counts.jobs} jobs (human logger run: ${counts['human-jobs']}), ${counts.queued} queued for RSS/restart`);
  console.log(`machine: ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), load ${l1!.toFixed(2)} ${l5!.toFixed(2)}, node ${process.version}, ${flags.tsx ? 'tsx' : 'esbuild bundle'}`);
  const { phase: phaseScript, sim: simScript, execArgv } = await scripts();
  // A computed specifier: scripts/ is plain JavaScript without type declarations.
  const seaFlags = flags['no-sea-flags'] ? [] : ((await import(new URL('../scripts/build-sea.mjs', import.meta.url).href)) as { SEA_EXEC_ARGV: string[] }).SEA_EXEC_ARGV;
  console.log(`scheduler flags: ${[...seaFlags, ...flags['node-options'].split(',').filter(Boolean)].join(' ') || '(none)'}${flags['no-sea-flags'] ? ' (--no-sea-flags)' : ''}`);
  const phase = async <P extends PhaseResult['phase']>(config: PhaseConfig & { phase: P }, profile = false) => {
    const extra = [...seaFlags, ...flags['node-options'].split(',').filter(Boolean)];
    const args = profile && flags['cpu-prof'] ? [...execArgv, ...extra, '--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] : [...execArgv, ...extra];
    const forkedAt = performance.now();
    const child = start(phaseScript, [JSON.stringify(config)], args);
    const result = await next<Extract<PhaseResult, { phase: P }>>(child, config.phase);
    const sinceForkS = (performance.now() - forkedAt) / 1000;
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    return { ...result, sinceForkS };
  };
  const sim = start(simScript, [String(counts.nodes)], execArgv);
  const { ports } = await next<{ ports: number[] }>(sim, 'ready');
  const maxSeconds = counts['max-seconds'];

  await ask(sim, { type: 'report' }, 'report');
  const cpuBefore = machineCpu();
  const fast = await phase({ phase: 'throughput', stateDir: tempDir(), ports, jobs: counts.jobs, logger: 'discard', maxSeconds }, true);
  const fastSim = await ask<SimReport>(sim, { type: 'report' }, 'report');
  const cpuAfter = machineCpu();
  // What the rest of the machine used meanwhile (other users' work, the kernel's own threads).
  const othersPct = cpuBefore && cpuAfter ? (100 * (cpuAfter.busyS - cpuBefore.busyS - fast.cpuS - fastSim.cpuS)) / fast.sinceForkS : Number.NaN;
  const human = counts['human-jobs'] > 0
    ? await phase({ phase: 'throughput', stateDir: tempDir(), ports, jobs: counts['human-jobs'], logger: 'human', maxSeconds })
    : undefined;
  // Below saturation: jobs last --hold-ms on average at their node, so 1,000 nodes offer at most
  // nodes / hold jobs/s and the scheduler's queues stay short; latency is then the scheduler's own.
  await ask(sim, { type: 'mode', silent: false, holdMs: counts['hold-ms'] }, 'mode');
  const paced = counts['paced-jobs'] > 0
    ? await phase({ phase: 'throughput', stateDir: tempDir(), ports, jobs: counts['paced-jobs'], logger: 'discard', maxSeconds })
    : undefined;
  const pacedSim = await ask<SimReport>(sim, { type: 'report' }, 'report');
  await ask(sim, { type: 'mode', silent: true, holdMs: 0 }, 'mode');
  const queueDir = tempDir();
  const jobsFile = join(queueDir, 'jobs.json');
  writeFileSync(jobsFile, jobsJson(counts.queued, counts.nodes));
  const queue = await phase({ phase: 'queue', stateDir: queueDir, ports, jobsFile, settleMs: Number(process.env.SETTLE_MS ?? 2000) });
  const restart = await phase({ phase: 'restart', stateDir: queueDir });
  sim.send({ type: 'stop' } satisfies SimCommand);

  const rate = fast.completed / fast.wallS;
  const l = fast.latencyMs;
  const e = fastSim.latencyMs;
  console.log('');
  row('1. jobs/s dispatched end-to-end (completed / wall)', rate.toFixed(0), ratio(rate, GOALS.jobsPerS, 'higher'));
  row('   completed / wall (s)', `${fast.completed} / ${fast.wallS.toFixed(2)}`,
    `${fast.drained ? 'drained' : `NOT drained after ${maxSeconds} s`}, ${fast.unfinished} unfinished, ${fast.notSucceeded} not succeeded; addJobs ${fast.queueS.toFixed(2)} s`);
  row('   CPU: scheduler / simulator / others (% of one core)', `${((100 * fast.cpuS) / fast.wallS).toFixed(0)} / ${((100 * fastSim.cpuS) / fast.wallS).toFixed(0)} / ${othersPct.toFixed(0)}`,
    `store: ${fast.store.applies} applies, ${(fast.store.records / Math.max(1, fast.store.applies)).toFixed(1)} records each, ${fast.store.seconds.toFixed(2)} s in apply, ${fast.store.slow} took > 5 ms (max ${fast.store.maxMs.toFixed(0)})`);
  const cpuPerJobUs = (fast.cpuS * 1e6) / Math.max(1, fast.completed);
  row('   scheduler CPU per job (us, all its threads)', cpuPerJobUs.toFixed(0), `= ${(1e6 / cpuPerJobUs).toFixed(0)} jobs/s if it had one core to itself`);
  row('   scheduler event-loop delay p50/p99/max (ms)', `${ms(fast.loopDelayMs.p50)}/${ms(fast.loopDelayMs.p99)}/${fast.loopDelayMs.max.toFixed(0)}`);
  row('   GC pauses: young / full, total (s)', `${fast.gc.young.count} / ${fast.gc.full.count}, ${fast.gc.totalS.toFixed(2)}`,
    `young: ${fast.gc.young.over5Ms} took > 5 ms (max ${fast.gc.young.maxMs.toFixed(0)}); full: ${fast.gc.full.over5Ms} took > 5 ms (max ${fast.gc.full.maxMs.toFixed(0)})`);
  row('   scheduler RSS at drain / peak (MB)', `${fast.rssMb.toFixed(0)} / ${fast.maxRssMb.toFixed(0)}`);
  row('   log records info/warn/error (discarded)', `${fast.logs.info}/${fast.logs.warn}/${fast.logs.error}`, fast.logs.samples.join(' | '));
  row('2. status-to-next-job latency p50 (ms)', ms(l.p50), 'in the scheduler: final status read off its socket -> next job write() for that node');
  row('   status-to-next-job latency p99 (ms)', ms(l.p99), ratio(l.p99, GOALS.p99Ms, 'lower'));
  row('   p90 / p99.9 / max (ms)', `${ms(l.p90)}/${ms(l.p999)}/${ms(l.max)}`, `${l.count} samples (diagnostics_channel probe in the scheduler process)`);
  row('   seen by the nodes: SUCCESS sent -> next job, p50/p99', `${ms(e.p50)}/${ms(e.p99)}`,
    `includes waiting in the scheduler's accept queue; status retries ${fastSim.statusRetries}, failures ${fastSim.statusFailures}`);
  if (paced) {
    const rate = paced.completed / paced.wallS;
    row(`2b. at ${rate.toFixed(0)} jobs/s (jobs last ~${counts['hold-ms']} ms): p50/p99 (ms)`, `${ms(paced.latencyMs.p50)}/${ms(paced.latencyMs.p99)}`,
      `${ratio(paced.latencyMs.p99, GOALS.p99Ms, 'lower')}; seen by the nodes ${ms(pacedSim.latencyMs.p50)}/${ms(pacedSim.latencyMs.p99)}; scheduler CPU ${((100 * paced.cpuS) / paced.wallS).toFixed(0)}%; warnings ${paced.logs.warn + paced.logs.error}, status retries ${pacedSim.statusRetries}`);
  }
  row(`3. RSS with ${queue.queued + queue.inFlight} jobs queued (MB)`, queue.rssMb.toFixed(0),
    `${ratio(queue.rssMb, GOALS.rssMb, 'lower')}; ${queue.queued} pending + ${queue.inFlight} sent to silent nodes; peak ${queue.maxRssMb.toFixed(0)}, heap used ${queue.heapUsedMb.toFixed(0)}, resident young ${queue.spacesMb.young!.toFixed(0)} + old ${queue.spacesMb.old!.toFixed(0)}`);
  row('   RSS after a restart with them (MB)', restart.rssMb.toFixed(0), `peak ${restart.maxRssMb.toFixed(0)}`);
  row(`4. restart with ${restart.queued + restart.inFlight} queued: open..listening (s)`, restart.totalS.toFixed(2),
    `${ratio(restart.totalS, GOALS.restartS, 'lower')}; open ${restart.openS.toFixed(2)} + construct ${restart.constructS.toFixed(2)} + start ${restart.startS.toFixed(2)}`);
  row('   restart: process start..listening (s)', restart.processS.toFixed(2),
    `${ratio(restart.processS, GOALS.restartS, 'lower')}; node startup included (fork..result ${restart.sinceForkS.toFixed(2)} s)`);
  if (human) {
    const humanRate = human.completed / human.wallS;
    const humanCpuUs = (human.cpuS * 1e6) / Math.max(1, human.completed);
    row('human logger: scheduler CPU per job (us)', humanCpuUs.toFixed(0),
      `vs ${cpuPerJobUs.toFixed(0)} discarding: +${(humanCpuUs - cpuPerJobUs).toFixed(0)} us/job; ${humanRate.toFixed(0)} jobs/s; ${human.logs.info} lines, ${(human.logBytes / 2 ** 20).toFixed(1)} MB for ${human.completed} jobs`);
    row('human logger: latency p50/p99 (ms)', `${ms(human.latencyMs.p50)}/${ms(human.latencyMs.p99)}`);
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
