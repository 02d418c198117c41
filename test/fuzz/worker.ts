import { parentPort, workerData } from 'node:worker_threads';
import { TARGETS } from './targets/index.js';
import { runTarget } from './run-target.js';

/** What the thread that starts this worker asks of it (fuzz.ts). */
export interface WorkerJob {
  /** Target names with their inputs and seed, run in this order. */
  plan: { name: string; runs: number; seed: number; path?: string }[];
  /** [inputs tried in the current target, index in plan]: read by the watchdog. */
  heartbeat: SharedArrayBuffer;
}

const { plan, heartbeat } = workerData as WorkerJob;
const beat = new Int32Array(heartbeat);
for (const [index, step] of plan.entries()) {
  const target = TARGETS.find((t) => t.name === step.name)!;
  Atomics.store(beat, 1, index);
  Atomics.store(beat, 0, 0);
  const result = runTarget(target, {
    runs: step.runs,
    seed: step.seed,
    path: step.path,
    onInput: (count, input) => {
      Atomics.store(beat, 0, count);
      // A replay shows its input before running it: if it hangs, this is all that is seen of it.
      if (step.path !== undefined && count === 1) parentPort!.postMessage({ replay: target.show(input) });
    },
  });
  parentPort!.postMessage(result);
}
