import { Worker } from 'node:worker_threads';
import { TARGETS } from './targets/index.js';
import type { TargetResult } from './run-target.js';
import type { WorkerJob } from './worker.js';

/** How to fuzz: how many inputs in all, shared by the targets' weights. */
export interface FuzzOptions {
  inputs: number;
  seed: number;
  /** Only these targets (default: all). */
  targets?: readonly string[];
  /** Replay this fast-check path (with one target and its seed). */
  path?: string;
  /** No input finished for this long: a hang (default 30 s). */
  hangMs?: number;
  /**
   * Memory before an input counts as an unbounded allocation (default 1024 MiB): the worker's heap
   * limit, and twice that for the whole process (Buffers live outside the heap).
   */
  memoryMb?: number;
  onResult?: (result: TargetResult) => void;
  /** With `path`: the input about to be replayed, as the target shows it. */
  onReplay?: (text: string) => void;
}

type Step = WorkerJob['plan'][number];

/** A target's own seed: derived from the run's seed and its name, so it does not depend on the others run. */
export function targetSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash ^ seed) | 0;
}

/** Shares `inputs` among the targets by weight (each gets at least one). */
export function plan(options: FuzzOptions): Step[] {
  const chosen = options.targets ? TARGETS.filter((t) => options.targets!.includes(t.name)) : TARGETS;
  const unknown = options.targets?.filter((name) => !TARGETS.some((t) => t.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown fuzz target ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  const total = chosen.reduce((sum, t) => sum + t.weight, 0);
  return chosen.map((t) => ({
    name: t.name,
    runs: Math.max(1, Math.ceil((options.inputs * t.weight) / total)),
    seed: options.targets?.length === 1 ? options.seed : targetSeed(options.seed, t.name),
    path: options.path,
  }));
}

/**
 * Runs the planned targets in a worker thread, one after the other. A watchdog reads the worker's
 * heartbeat: an input that does not finish within hangMs, or a worker that dies (out of memory),
 * is that target's failure, with the seed and path that replay it; the other targets go on in a
 * new worker.
 */
export async function fuzz(options: FuzzOptions): Promise<TargetResult[]> {
  const results: TargetResult[] = [];
  let steps = plan(options);
  while (steps.length > 0) {
    const { done, rest } = await runWorker(steps, options);
    results.push(...done);
    steps = rest;
  }
  return results;
}

function runWorker(steps: Step[], options: FuzzOptions): Promise<{ done: TargetResult[]; rest: Step[] }> {
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new Int32Array(heartbeat);
  const hangMs = options.hangMs ?? 30_000;
  const memoryMb = options.memoryMb ?? 1024;
  const worker = new Worker(new URL('./worker.ts', import.meta.url), {
    workerData: { plan: steps, heartbeat } satisfies WorkerJob,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  const done: TargetResult[] = [];
  let started = performance.now();
  return new Promise((resolve, reject) => {
    let last = -1;
    let lastChange = performance.now();
    let stopped = false;
    const stop = (why: string): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      const index = done.length;
      const step = steps[index];
      if (!step) return resolve({ done, rest: [] });
      const count = Atomics.load(beat, 0);
      done.push({
        name: step.name, inputs: count, failures: 1, ms: performance.now() - started,
        failure: { seed: step.seed, path: step.path ?? (count > 0 && count <= step.runs ? String(count - 1) : null), error: why, input: '(see the replay: the worker could not report it)', shrinks: 0 },
      });
      options.onResult?.(done.at(-1)!);
      // The next worker starts once this one's memory is given back.
      void worker.terminate().finally(() => resolve({ done, rest: steps.slice(index + 1) }));
    };
    const watchdog = setInterval(() => {
      const now = Atomics.load(beat, 0) + Atomics.load(beat, 1) * 2 ** 31;
      const rssMb = process.memoryUsage.rss() / 2 ** 20;
      // The backstop of run-target.ts's own checks: the culprit is this input or one shortly before.
      if (rssMb > 2 * memoryMb) return stop(`the process grew to ${Math.round(rssMb)} MiB (limit ${2 * memoryMb} MiB) by input ${Atomics.load(beat, 0)}: an unbounded allocation`);
      if (now !== last) {
        last = now;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > hangMs) {
        stop(`input ${Atomics.load(beat, 0)} did not finish within ${hangMs / 1000} s (a hang)`);
      }
    }, Math.min(1000, hangMs / 4));
    worker.on('message', (message: { replay: string } | TargetResult) => {
      if ('replay' in message) return options.onReplay?.(message.replay);
      done.push(message);
      options.onResult?.(message);
      started = performance.now();
    });
    worker.on('error', (error) => stop(`the worker died: ${error.message}${'code' in error ? ` (${String(error.code)})` : ''}`));
    worker.on('exit', (code) => {
      if (code !== 0) return stop(`the worker exited with code ${code}`);
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      if (done.length < steps.length) return reject(new Error(`the fuzz worker ended after ${done.length} of ${steps.length} targets`));
      resolve({ done, rest: [] });
    });
  });
}
