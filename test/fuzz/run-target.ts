import { getHeapStatistics } from 'node:v8';
import fc from 'fast-check';
import type { Target } from './target.js';

/** CPU time one input may take: far above any decoder's microseconds, far below a hang. */
export const INPUT_CPU_LIMIT_MS = 1000;
/** Memory outside the heap (Buffers) one input may add: far above what any input needs. */
export const EXTERNAL_LIMIT_MB = 256;

/** How to run one target. */
export interface RunOptions<T> {
  runs: number;
  seed: number;
  /** fast-check's path of a failure, to replay it alone. */
  path?: string;
  /** Called with the number of inputs tried so far and the next one, before it runs (a watchdog's heartbeat). */
  onInput?: (count: number, input: T) => void;
}

/** A failure and how to see it again. */
export interface Failure {
  seed: number;
  path: string | null;
  error: string;
  /** The smallest failing input fast-check found, as the target shows it. */
  input: string;
  shrinks: number;
}

/** What one target's run found. */
export interface TargetResult {
  name: string;
  /** Generated inputs run (not counting the shrinking of a failure). */
  inputs: number;
  failures: number;
  ms: number;
  failure?: Failure;
}

/**
 * Runs `target` on `runs` generated inputs with fast-check; on a failure, fast-check shrinks it to
 * a small input. Each input gets INPUT_CPU_LIMIT_MS of this thread's CPU and EXTERNAL_LIMIT_MB more
 * of Buffers (the heap is bounded by the worker's resourceLimits); a true hang is caught by the
 * watchdog of the thread that started this one (fuzz.ts).
 */
export function runTarget<T>(target: Target<T>, options: RunOptions<T>): TargetResult {
  let count = 0;
  const property = fc.property(target.arbitrary, (input) => {
    options.onInput?.(++count, input);
    const before = process.threadCpuUsage();
    const externalBefore = getHeapStatistics().external_memory;
    target.check(input);
    const used = process.threadCpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    if (ms > INPUT_CPU_LIMIT_MS) throw new Error(`one input took ${ms.toFixed(0)} ms of CPU (limit ${INPUT_CPU_LIMIT_MS} ms)`);
    // Buffers are outside the heap the worker's resourceLimits bound: a lying length is caught here.
    const externalMb = (getHeapStatistics().external_memory - externalBefore) / 2 ** 20;
    if (externalMb > EXTERNAL_LIMIT_MB) throw new Error(`one input added ${externalMb.toFixed(0)} MiB of Buffers (limit ${EXTERNAL_LIMIT_MB} MiB): an unbounded allocation`);
  });
  const started = performance.now();
  const details = fc.check(property, { numRuns: options.runs, seed: options.seed, path: options.path, verbose: fc.VerbosityLevel.None });
  const result: TargetResult = { name: target.name, inputs: details.numRuns, failures: details.failed ? 1 : 0, ms: performance.now() - started };
  if (details.failed) {
    const error = details.errorInstance;
    result.failure = {
      seed: details.seed,
      path: details.counterexamplePath,
      error: error instanceof Error ? `${error.message}${error.cause instanceof Error && error.cause.stack ? `\n${error.cause.stack}` : ''}` : String(error),
      input: details.counterexample ? target.show(details.counterexample[0]) : '(none)',
      shrinks: details.numShrinks,
    };
  }
  return result;
}
