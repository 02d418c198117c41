/**
 * One measured scheduler run for bench/scheduler.ts, in a process of its own: a real
 * SchedulerService on a real SqliteStore, driving the simulated nodes of bench/sim-nodes.ts.
 * Takes a PhaseConfig as JSON in argv[2], sends one PhaseResult over IPC, then exits.
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createLogger, type Logger } from '../src/log.js';
import { SchedulerService } from '../src/scheduler/service.js';
import type { JobData } from '../src/scheduler/types.js';
import { SqliteStore, STORE_FILE } from '../src/store/index.js';

export type PhaseConfig =
  | { phase: 'throughput'; stateDir: string; ports: number[]; jobs: number; logger: 'discard' | 'human'; maxSeconds: number }
  | { phase: 'queue'; stateDir: string; ports: number[]; jobs: number; settleMs: number }
  | { phase: 'restart'; stateDir: string };

export interface LogCounts { info: number; warn: number; error: number; samples: string[] }

export type PhaseResult =
  | { phase: 'throughput'; completed: number; unfinished: number; notSucceeded: number; wallS: number; queueS: number; drained: boolean;
      rssMb: number; maxRssMb: number; loopDelayMs: { p50: number; p99: number; max: number }; logs: LogCounts; logBytes: number }
  | { phase: 'queue'; queued: number; inFlight: number; queueS: number; rssMb: number; maxRssMb: number; heapUsedMb: number }
  | { phase: 'restart'; openS: number; constructS: number; startS: number; totalS: number; processS: number;
      queued: number; inFlight: number; rssMb: number; maxRssMb: number };

const data: JobData = { m: 0, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const mb = (bytes: number) => bytes / 2 ** 20;
const seconds = (from: number) => (performance.now() - from) / 1000;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/** A logger that keeps counts and the first few warnings, and, for 'human', formats every line to a file. */
function benchLogger(kind: 'discard' | 'human', stateDir: string): { log: Logger; counts: LogCounts; bytes: () => number; close: () => void } {
  const counts: LogCounts = { info: 0, warn: 0, error: 0, samples: [] };
  let bytes = 0;
  const fd = kind === 'human' ? openSync(join(stateDir, 'scheduler.log'), 'w') : -1;
  // Synchronous writes to a file: what process.stderr does when stderr is redirected to a file.
  const human = createLogger({ write: (line) => (bytes += writeSync(fd, line)) });
  const level = (name: 'info' | 'warn' | 'error') => (message: string) => {
    counts[name] += 1;
    if (name !== 'info' && counts.samples.length < 5) counts.samples.push(`${name}: ${message}`);
    if (kind === 'human') human[name](message);
  };
  return {
    log: { debug: () => undefined, info: level('info'), warn: level('warn'), error: level('error') },
    counts, bytes: () => bytes, close: () => fd >= 0 && closeSync(fd),
  };
}

function jobsFor(count: number, nodes: number) {
  return Array.from({ length: count }, (_, i) => ({ nodes: [`n${i % nodes}`], priority: i % 4, data, target: '', graceS: 30, retries: 0 }));
}

async function startedService(stateDir: string, ports: number[], log: Logger): Promise<SchedulerService> {
  const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: SqliteStore.open(join(stateDir, STORE_FILE)), log });
  await service.start();
  await service.addNodes(ports.map((port, i) => ({ name: `n${i}`, host: '127.0.0.1', port })));
  return service;
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
  const service = await startedService(config.stateDir, config.ports, logger.log);
  const specs = jobsFor(config.jobs, config.ports.length);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const drained = new Promise<boolean>((resolve) => {
    service.once('drained', () => resolve(true));
    setTimeout(() => resolve(false), config.maxSeconds * 1000).unref();
  });
  loop.enable();
  const start = performance.now();
  service.addJobs(specs);
  const queueS = seconds(start);
  const done = await drained;
  const wallS = seconds(start);
  loop.disable();
  const jobs = [...service.core.state.jobs.values()];
  const completed = jobs.filter((job) => job.state === 'succeeded').length;
  const unfinished = jobs.filter((job) => job.state === 'pending' || job.state === 'sent' || job.state === 'running').length;
  const rssMb = mb(process.memoryUsage().rss);
  await service.stop();
  logger.close();
  return {
    phase: 'throughput', completed, unfinished, notSucceeded: jobs.length - completed - unfinished, wallS, queueS, drained: done,
    rssMb, maxRssMb: maxRssMb(), logs: logger.counts, logBytes: logger.bytes(),
    loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  };
}

async function queue(config: Extract<PhaseConfig, { phase: 'queue' }>): Promise<PhaseResult> {
  const service = await startedService(config.stateDir, config.ports, benchLogger('discard', config.stateDir).log);
  const specs = jobsFor(config.jobs, config.ports.length);
  const start = performance.now();
  service.addJobs(specs);
  const queueS = seconds(start);
  specs.length = 0;
  // Let the first job of every node go out (the nodes take it and stay silent), then measure.
  await new Promise((resolve) => setTimeout(resolve, config.settleMs));
  const memory = process.memoryUsage();
  const result: PhaseResult = { phase: 'queue', ...counts(service), queueS, rssMb: mb(memory.rss), maxRssMb: maxRssMb(), heapUsedMb: mb(memory.heapUsed) };
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
  // performance.now() counts from this process's start: node and the tsx loader included.
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
