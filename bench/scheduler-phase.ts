/**
 * One measured scheduler run for bench/scheduler.ts, in a process of its own: a real
 * SchedulerService on a real SqliteStore, driving the simulated nodes of bench/sim-nodes.ts.
 * Takes a PhaseConfig as JSON in argv[2], sends one PhaseResult over IPC, then exits.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Logger } from '../src/log.js';
import { readJobsFile } from '../src/input/files.js';
import { SchedulerService } from '../src/scheduler/service.js';
import type { JobData } from '../src/protocol/messages.js';
import { SqliteStore, STORE_FILE } from '../src/store/index.js';
import { benchLogger, countingStore, gcPauses, probeLatency, type GcCounts, type LogCounts, type StoreCounts } from './instruments.js';
import type { Summary } from './stats.js';

export type PhaseConfig =
  | { phase: 'throughput'; stateDir: string; ports: number[]; jobs: number; logger: 'discard' | 'human'; maxSeconds: number }
  | { phase: 'queue'; stateDir: string; ports: number[]; jobsFile: string; settleMs: number }
  | { phase: 'restart'; stateDir: string };

export type PhaseResult =
  | { phase: 'throughput'; completed: number; unfinished: number; notSucceeded: number; wallS: number; queueS: number; drained: boolean;
      rssMb: number; maxRssMb: number; loopDelayMs: { p50: number; p99: number; max: number }; gc: GcCounts; logs: LogCounts; logBytes: number;
      cpuS: number; store: StoreCounts; latencyMs: Summary }
  | { phase: 'queue'; queued: number; inFlight: number; queueS: number; rssMb: number; maxRssMb: number; heapUsedMb: number; spacesMb: Record<string, number> }
  | { phase: 'restart'; openS: number; constructS: number; startS: number; totalS: number; processS: number;
      queued: number; inFlight: number; rssMb: number; maxRssMb: number };

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

async function startedService(stateDir: string, ports: number[], log: Logger): Promise<{ service: SchedulerService; counts: StoreCounts }> {
  const { store, counts } = countingStore(join(stateDir, STORE_FILE));
  const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log });
  await service.start();
  await service.addNodes(ports.map((port, i) => ({ name: `n${i}`, host: '127.0.0.1', port })));
  return { service, counts };
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

async function throughput(config: Extract<PhaseConfig, { phase: 'throughput' }>): Promise<PhaseResult> {
  const logger = benchLogger(config.logger, config.stateDir);
  const { service, counts: storeCounts } = await startedService(config.stateDir, config.ports, logger.log);
  const latency = probeLatency(service);
  const specs = jobsFor(config.jobs, config.ports.length);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const drained = new Promise<boolean>((resolve) => {
    service.once('drained', () => resolve(true));
    setTimeout(() => resolve(false), config.maxSeconds * 1000).unref();
  });
  loop.enable();
  const gc = gcPauses();
  const cpu = process.cpuUsage();
  const start = performance.now();
  service.addJobs(specs);
  const queueS = seconds(start);
  // Slow applies count from here: the one that inserted every job is slow by nature.
  storeCounts.slow = 0;
  storeCounts.maxMs = 0;
  const done = await drained;
  const wallS = seconds(start);
  const cpuUsed = process.cpuUsage(cpu);
  const store = { ...storeCounts };
  loop.disable();
  const gcCounts = gc.stop();
  const jobs = [...service.core.state.jobs.values()];
  const completed = jobs.filter((job) => job.state === 'succeeded').length;
  const unfinished = jobs.filter((job) => job.state === 'pending' || job.state === 'sent' || job.state === 'running').length;
  const rssMb = mb(process.memoryUsage().rss);
  await service.stop();
  logger.close();
  return {
    phase: 'throughput', completed, unfinished, notSucceeded: jobs.length - completed - unfinished, wallS, queueS, drained: done,
    rssMb, maxRssMb: maxRssMb(), gc: gcCounts, logs: logger.counts, logBytes: logger.bytes(), cpuS: (cpuUsed.user + cpuUsed.system) / 1e6, store, latencyMs: latency.summary(),
    loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  };
}

/** Queues a jobs file the way `pktgen schedule -j` does: read, validate, addJobs with its file record. */
async function queueFile(service: SchedulerService, path: string): Promise<void> {
  const file = await readJobsFile(path, new Set(service.core.state.nodes.keys()));
  service.addJobs(
    file.jobs.map((j) => ({ nodes: j.nodes, priority: j.priority, data: j.data, target: j.target, timeoutS: j.timeoutS, retries: j.retries })),
    { hash: file.hash, path, loadedAt: Date.now(), jobCount: file.jobs.length },
  );
}

/** RSS with the file's jobs queued, once the file itself (text, parsed specs) is garbage. */
async function queue(config: Extract<PhaseConfig, { phase: 'queue' }>): Promise<PhaseResult> {
  const { service } = await startedService(config.stateDir, config.ports, benchLogger('discard', config.stateDir).log);
  const start = performance.now();
  await queueFile(service, config.jobsFile);
  const queueS = seconds(start);
  // Let the first job of every node go out (the nodes take it and stay silent), then measure.
  await new Promise((resolve) => setTimeout(resolve, config.settleMs));
  const memory = process.memoryUsage();
  const result: PhaseResult = {
    phase: 'queue', ...counts(service), queueS, rssMb: mb(memory.rss), maxRssMb: maxRssMb(), heapUsedMb: mb(memory.heapUsed), spacesMb: heapSpacesMb(),
  };
  await service.stop();
  return result;
}

async function restart(config: Extract<PhaseConfig, { phase: 'restart' }>): Promise<PhaseResult> {
  const log = benchLogger('discard', config.stateDir).log;
  const start = performance.now();
  const store = SqliteStore.open(join(config.stateDir, STORE_FILE));
  const openS = seconds(start);
  const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log });
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

const config = JSON.parse(process.argv[2]!) as PhaseConfig;
const run = { throughput, queue, restart }[config.phase] as (config: PhaseConfig) => Promise<PhaseResult>;
process.on('disconnect', () => process.exit(1));
run(config).then(
  (result) => process.send!(result, () => process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
