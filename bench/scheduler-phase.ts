/**
 * One measured scheduler run for bench/scheduler.ts, in a process of its own: a real
 * SchedulerService on a real SqliteStore, driving the simulated nodes of bench/sim-nodes.ts over the
 * legacy wire, or (`session`) over authenticated sessions: the service then holds the cluster key and
 * no --legacy-allow, so every node it is given is a session node.
 *
 * Takes a PhaseConfig as JSON in argv[2]; with `session`, the key as its first IPC message
 * ({type: 'key', key}, hex: never on a command line). With `warmupJobs`, runs those first, sends
 * {type: 'warm'} and waits for {type: 'go'} before the measured run. Sends one PhaseResult over IPC,
 * then exits. The `load` phase (bench/load.ts) runs jobs like `throughput` and answers with every
 * job's end: its state and how many final results the core gave it (jobFinished effects).
 */
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Logger } from '../src/log.js';
import { readJobsFile } from '../src/input/files.js';
import { SchedulerService } from '../src/scheduler/service.js';
import type { JobData } from '../src/protocol/messages.js';
import type { JobState, NodeHealth } from '../src/protocol/view.js';
import { SqliteStore, STORE_FILE } from '../src/store/index.js';
import { secretFromBytes, type SessionSecret } from '../src/session/crypto.js';
import { benchLogger, countingStore, gcPauses, LatencyProbe, syscalls, syscallsSince, type GcCounts, type LogCounts, type StoreCounts, type Syscalls } from './instruments.js';
import type { Summary } from './stats.js';

/** Over which wire the scheduler drives the nodes. */
export type Wire = 'legacy' | 'session';

export type PhaseConfig =
  | { phase: 'throughput'; wire: Wire; stateDir: string; ports: number[]; jobs: number; warmupJobs: number; logger: 'discard' | 'human'; maxSeconds: number }
  | { phase: 'queue'; wire: Wire; stateDir: string; ports: number[]; jobsFile: string; settleMs: number }
  | { phase: 'restart'; wire: Wire; stateDir: string }
  /** `deadlineAt`: wall-clock ms (Date.now()) by which the answer must be on its way, whatever is still open. */
  | { phase: 'load'; wire: Wire; stateDir: string; ports: number[]; jobs: number; deadlineAt: number };

/** One job at the end of a load run: where it ran, its state, the final results it got, and why. */
export type LoadJob = [id: string, node: string, state: JobState, finishes: number, sends: number, reason: string];

/** How the nodes came up: sessions open (every node, for the legacy wire) and how long that took. */
export interface NodesUp { up: number; seconds: number }

export type PhaseResult =
  | { phase: 'throughput'; completed: number; unfinished: number; notSucceeded: number; wallS: number; queueS: number; drained: boolean;
      rssMb: number; maxRssMb: number; loopDelayMs: { p50: number; p99: number; max: number }; gc: GcCounts; logs: LogCounts; logBytes: number;
      cpuS: number; syscalls: Syscalls; store: StoreCounts; latencyMs: Summary; nodesUp: NodesUp }
  | { phase: 'queue'; queued: number; inFlight: number; queueS: number; rssMb: number; maxRssMb: number; heapUsedMb: number; spacesMb: Record<string, number>; nodesUp: NodesUp }
  | { phase: 'restart'; openS: number; constructS: number; startS: number; totalS: number; processS: number;
      queued: number; inFlight: number; rssMb: number; maxRssMb: number }
  | { phase: 'load'; drained: boolean; wallS: number; cpuS: number; maxRssMb: number; nodesUp: NodesUp; jobs: LoadJob[];
      /** Nodes not up at the end, with their health. */
      notUp: Array<[node: string, health: NodeHealth]>; logs: LogCounts };

const data: JobData = { m: 0, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const mb = (bytes: number) => bytes / 2 ** 20;
const seconds = (from: number) => (performance.now() - from) / 1000;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
/** Resident MB of V8's young and old generations (where the RSS goes). */
const heapSpacesMb = () => {
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.physical_space_size)]));
  return { young: spaces.new_space ?? 0, old: (spaces.old_space ?? 0) + (spaces.large_object_space ?? 0) };
};

function jobsFor(count: number, nodes: number) {
  return Array.from({ length: count }, (_, i) => ({ nodes: [`n${i % nodes}`], priority: i % 4, data, target: '', timeoutS: 30, retries: 0 }));
}

/** How long the nodes may take to come up (sessions: 1,000 handshakes, on a loaded machine). */
const NODES_UP_TIMEOUT_MS = 30_000;

/** The message of `type` the parent sends next; the process ends if it never comes. */
function fromParent<T extends { type: string }>(type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error(`scheduler-phase: no ${type} from the parent within ${timeoutMs / 1000} s`);
      process.exit(1);
    }, timeoutMs);
    const onMessage = (message: T) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
  });
}

/** Resolves once every node is up (over a session: its handshake done), or after the timeout. */
async function nodesUp(service: SchedulerService, wire: Wire): Promise<NodesUp> {
  const start = performance.now();
  const nodes = [...service.core.state.nodes.values()];
  const up = () => nodes.filter((node) => node.health === 'up').length;
  if (wire === 'legacy') return { up: nodes.length, seconds: 0 };
  while (up() < nodes.length && performance.now() - start < NODES_UP_TIMEOUT_MS) await new Promise((resolve) => setTimeout(resolve, 10));
  return { up: up(), seconds: seconds(start) };
}

async function startedService(wire: Wire, stateDir: string, ports: number[], log: Logger, secret: SessionSecret | undefined) {
  const { store, counts } = countingStore(join(stateDir, STORE_FILE));
  // Every job is kept, so `completed` counts the whole run, as in the figures measured before retention.
  const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log, core: { keepJobs: Infinity }, sessionSecret: secret, name: 'bench' });
  await service.start();
  await service.addNodes(ports.map((port, i) => ({ name: `n${i}`, host: '127.0.0.1', port })));
  return { service, counts, nodesUp: await nodesUp(service, wire) };
}

/** Waits for the 'drained' event, at most `maxSeconds`; false if it did not come. */
function drained(service: SchedulerService, maxSeconds: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), maxSeconds * 1000);
    service.once('drained', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function counts(service: SchedulerService): { queued: number; inFlight: number } {
  let queued = 0;
  let inFlight = 0;
  for (const node of service.core.state.nodes.keys()) {
    queued += service.core.pendingCount(node);
    if (service.core.currentJob(node)) inFlight += 1;
  }
  return { queued, inFlight };
}

async function throughput(config: Extract<PhaseConfig, { phase: 'throughput' }>, secret?: SessionSecret): Promise<PhaseResult> {
  const logger = benchLogger(config.logger, config.stateDir);
  // Before the service: a session's socket is opened when its node is added.
  const latency = new LatencyProbe(config.wire);
  const { service, counts: storeCounts, nodesUp } = await startedService(config.wire, config.stateDir, config.ports, logger.log, secret);
  latency.nodeOf = (jobId) => service.core.state.jobs.get(jobId)?.node;
  if (config.warmupJobs > 0) {
    const warm = drained(service, config.maxSeconds);
    service.addJobs(jobsFor(config.warmupJobs, config.ports.length));
    await warm;
    process.send!({ type: 'warm' });
    await fromParent('go', 30_000);
    latency.reset();
  }
  const specs = jobsFor(config.jobs, config.ports.length);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const done = drained(service, config.maxSeconds);
  loop.enable();
  const gc = gcPauses();
  const cpu = process.cpuUsage();
  const calls = syscalls();
  const start = performance.now();
  service.addJobs(specs);
  const queueS = seconds(start);
  // Slow applies count from here: the one that inserted every job is slow by nature.
  storeCounts.slow = 0;
  storeCounts.maxMs = 0;
  const wasDrained = await done;
  const wallS = seconds(start);
  const cpuUsed = process.cpuUsage(cpu);
  const callsMade = syscallsSince(calls);
  const store = { ...storeCounts };
  loop.disable();
  const gcCounts = gc.stop();
  const jobs = [...service.core.state.jobs.values()].slice(config.warmupJobs);
  const completed = jobs.filter((job) => job.state === 'succeeded').length;
  const unfinished = jobs.filter((job) => job.state === 'pending' || job.state === 'sent' || job.state === 'running').length;
  const rssMb = mb(process.memoryUsage().rss);
  await service.stop();
  logger.close();
  return {
    phase: 'throughput', completed, unfinished, notSucceeded: jobs.length - completed - unfinished, wallS, queueS, drained: wasDrained,
    rssMb, maxRssMb: maxRssMb(), gc: gcCounts, logs: logger.counts, logBytes: logger.bytes(), cpuS: (cpuUsed.user + cpuUsed.system) / 1e6, syscalls: callsMade, store,
    latencyMs: latency.samples.summary(), nodesUp,
    loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  };
}

/** Queues a jobs file the way `pktgen schedule -j` does: read, validate, addJobs with its file record. */
async function queueFile(service: SchedulerService, path: string): Promise<void> {
  const file = await readJobsFile(path, new Set(service.core.state.nodes.keys()));
  service.addJobs(
    file.jobs.map((j) => ({ nodes: j.nodes, priority: j.priority, data: j.data, target: j.target, timeoutS: j.timeoutS, retries: j.retries })),
    { hash: file.hash, path, loadedAt: Date.now(), jobCount: file.jobs.length, run: 1 },
  );
}

/** RSS with the file's jobs queued, once the file itself (text, parsed specs) is garbage. */
async function queue(config: Extract<PhaseConfig, { phase: 'queue' }>, secret?: SessionSecret): Promise<PhaseResult> {
  const { service, nodesUp } = await startedService(config.wire, config.stateDir, config.ports, benchLogger('discard', config.stateDir).log, secret);
  const start = performance.now();
  await queueFile(service, config.jobsFile);
  const queueS = seconds(start);
  // Let the first job of every node go out (the nodes take it and stay silent), then measure.
  await new Promise((resolve) => setTimeout(resolve, config.settleMs));
  const memory = process.memoryUsage();
  const result: PhaseResult = {
    phase: 'queue', ...counts(service), queueS, rssMb: mb(memory.rss), maxRssMb: maxRssMb(), heapUsedMb: mb(memory.heapUsed), spacesMb: heapSpacesMb(), nodesUp,
  };
  await service.stop();
  return result;
}

async function restart(config: Extract<PhaseConfig, { phase: 'restart' }>, secret?: SessionSecret): Promise<PhaseResult> {
  const log = benchLogger('discard', config.stateDir).log;
  const start = performance.now();
  const store = SqliteStore.open(join(config.stateDir, STORE_FILE));
  const openS = seconds(start);
  const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log, sessionSecret: secret, name: 'bench' });
  const constructS = seconds(start) - openS;
  await service.start();
  const totalS = seconds(start);
  // performance.now() counts from this process's start: node's start-up (and tsx's, with --tsx) included.
  const processS = performance.now() / 1000;
  const result: PhaseResult = {
    phase: 'restart', openS, constructS, startS: totalS - openS - constructS, totalS, processS,
    ...counts(service), rssMb: mb(process.memoryUsage().rss), maxRssMb: maxRssMb(),
  };
  await service.stop();
  return result;
}

/** Kept before a load run's deadline for building and sending the answer (100,000 rows) and stopping. */
const LOAD_ANSWER_MS = 10_000;

/**
 * `jobs` jobs through the scheduler at full speed, until it drains or its deadline nears; then every
 * job's end. Final results are counted from the core's own effects, so a job the core finishes twice
 * (a late result after `lost`, say) shows however the store recorded it.
 */
async function load(config: Extract<PhaseConfig, { phase: 'load' }>, secret?: SessionSecret): Promise<PhaseResult> {
  const logger = benchLogger('discard', config.stateDir);
  const { service, nodesUp } = await startedService(config.wire, config.stateDir, config.ports, logger.log, secret);
  const finishes = new Map<string, number>();
  const handle = service.core.handle.bind(service.core);
  service.core.handle = (event) => {
    const step = handle(event);
    for (const effect of step.effects) if (effect.type === 'jobFinished') finishes.set(effect.jobId, (finishes.get(effect.jobId) ?? 0) + 1);
    return step;
  };
  const done = drained(service, Math.max(0, config.deadlineAt - LOAD_ANSWER_MS - Date.now()) / 1000);
  const cpu = process.cpuUsage();
  const start = performance.now();
  service.addJobs(jobsFor(config.jobs, config.ports.length));
  const wasDrained = await done;
  const wallS = seconds(start);
  const cpuUsed = process.cpuUsage(cpu);
  // Before the answer is built: 100,000 rows of it would count as the scheduler's.
  const peakMb = maxRssMb();
  const jobs: LoadJob[] = [...service.core.state.jobs.values()].map((job) => [job.id, job.node, job.state, finishes.get(job.id) ?? 0, job.sends, job.reason]);
  const notUp = [...service.core.state.nodes.values()].filter((node) => node.health !== 'up').map((node): [string, NodeHealth] => [node.name, node.health]);
  // The answer matters more than a clean stop: a stop that hangs (a connection that never closes) is left behind.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([service.stop(), new Promise((resolve) => (timer = setTimeout(resolve, LOAD_ANSWER_MS / 2)))]);
  clearTimeout(timer);
  return {
    phase: 'load', drained: wasDrained, wallS, cpuS: (cpuUsed.user + cpuUsed.system) / 1e6, maxRssMb: peakMb, nodesUp, jobs, notUp, logs: logger.counts,
  };
}

async function main(config: PhaseConfig): Promise<PhaseResult> {
  const secret = config.wire === 'session' ? secretFromBytes(Buffer.from((await fromParent<{ type: 'key'; key: string }>('key', 10_000)).key, 'hex')) : undefined;
  const run = { throughput, queue, restart, load }[config.phase] as (config: PhaseConfig, secret?: SessionSecret) => Promise<PhaseResult>;
  return run(config, secret);
}

process.on('disconnect', () => process.exit(1));
main(JSON.parse(process.argv[2]!) as PhaseConfig).then(
  (result) => process.send!(result, () => process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
