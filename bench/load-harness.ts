/**
 * The load test behind `npm run bench:load` and test/load/load.test.ts: N simulated nodes x M jobs
 * each through one real scheduler (a SchedulerService on a SQLite store, in a process of its own:
 * bench/scheduler-phase.ts), over authenticated sessions and/or the legacy wire, with the simulated
 * nodes of bench/scheduler.ts (bench/sim-nodes.ts). It counts what a user must be able to trust:
 * every job ended once, succeeded, at its own node, which took it once. Every wait is bounded by one
 * deadline for the whole run; past it, what is still open is reported, never waited for.
 */
import { randomBytes } from 'node:crypto';
import { ask, BenchChildren, exited, next, SIM_ANSWER_MS } from './children.js';
import type { LoadJob, NodesUp, PhaseConfig, PhaseResult, Wire } from './scheduler-phase.js';
import type { LogCounts } from './instruments.js';
import type { SimReport } from './sim-nodes.js';

/** What to run. */
export interface LoadOptions {
  nodes: number;
  jobsPerNode: number;
  /** In this order, each with a scheduler of its own and the same simulated nodes. */
  wires: Wire[];
  /** For the whole run: setting up, every wire, and stopping. */
  deadlineMs: number;
  /** How long a job lasts at its node, on average (0: it ends as soon as it arrives). */
  holdMs?: number;
  /** Run the children from sources under tsx rather than bundled. */
  tsx?: boolean;
  /** Node flags for the scheduler's process (scripts/build-sea.mjs SEA_EXEC_ARGV, as dist/pktgen runs). */
  schedulerFlags?: string[];
  /** Progress lines. */
  log?: (line: string) => void;
}

/** A job that did not end well, as far as the scheduler and the nodes tell. */
export interface JobProblem { id: string; node: string; state: string; reason: string; sends: number; arrivals: number; finishes: number }

/** What one wire's run came to. */
export interface LoadOutcome {
  wire: Wire;
  nodes: number;
  /** nodes x jobs per node. */
  jobs: number;
  succeeded: number;
  /** Jobs that did not end `succeeded`: by the state they were left in, and those never queued. */
  lost: number;
  lostBy: Record<string, number>;
  /** Jobs a node took more than once, that ended more than once, or that came to a node not theirs (or unknown). */
  duplicated: number;
  duplicatedBy: { arrivedTwice: number; finishedTwice: number; wrongNode: number; unknownToScheduler: number };
  /** Jobs no node ever took. */
  neverArrived: number;
  /** The run did not end (every job final) before the deadline. */
  timedOut: boolean;
  /** The first few jobs behind `lost` and `duplicated`, for the report. */
  problems: JobProblem[];
  /** Nodes not up at the end, with their health. */
  notUp: Array<[string, string]>;
  peakRssMb: number;
  /** From queueing the jobs to the last final status saved (or to the deadline). */
  wallS: number;
  jobsPerS: number;
  schedulerCpuS: number;
  nodesUp: NodesUp;
  sim: Pick<SimReport, 'sessions' | 'statusRetries' | 'statusFailures' | 'outboxErrors'>;
  logs: LogCounts;
}

/** Problems listed in an outcome at most. */
const PROBLEMS_SHOWN = 20;
/**
 * The scheduler answers this long before the deadline, and what is still open is collected up to
 * this long after it: a run past its deadline still says what is open.
 */
const END_MARGIN_MS = 5_000;

/**
 * Compares the scheduler's view of every job with the nodes': what was lost, what was duplicated.
 * `names[i]` is node i's name; `received` lists each job id a node took (first node, arrivals).
 */
export function tally(expected: number, jobs: LoadJob[], received: NonNullable<SimReport['received']>, names: readonly string[]) {
  const arrivals = new Map(received.map(([id, node, count]) => [id, { node: names[node], count }]));
  const lostBy: Record<string, number> = {};
  const duplicatedBy = { arrivedTwice: 0, finishedTwice: 0, wrongNode: 0, unknownToScheduler: 0 };
  const problems: JobProblem[] = [];
  let succeeded = 0;
  let duplicated = 0;
  let neverArrived = 0;
  const known = new Set<string>();
  for (const [id, node, state, finishes, sends, reason] of jobs) {
    known.add(id);
    const arrived = arrivals.get(id);
    if (!arrived) neverArrived += 1;
    const twice = (arrived?.count ?? 0) > 1;
    const wrongNode = arrived !== undefined && arrived.node !== node;
    if (twice) duplicatedBy.arrivedTwice += 1;
    if (finishes > 1) duplicatedBy.finishedTwice += 1;
    if (wrongNode) duplicatedBy.wrongNode += 1;
    if (twice || finishes > 1 || wrongNode) duplicated += 1;
    if (state === 'succeeded') succeeded += 1;
    else lostBy[state] = (lostBy[state] ?? 0) + 1;
    if ((state !== 'succeeded' || twice || finishes > 1 || wrongNode) && problems.length < PROBLEMS_SHOWN) {
      problems.push({ id, node, state, reason, sends, arrivals: arrived?.count ?? 0, finishes });
    }
  }
  for (const [id] of arrivals) {
    if (known.has(id)) continue;
    duplicatedBy.unknownToScheduler += 1;
    duplicated += 1;
  }
  if (jobs.length < expected) lostBy['never queued'] = expected - jobs.length;
  return { succeeded, lost: expected - succeeded, lostBy, duplicated, duplicatedBy, neverArrived, problems };
}

/** Runs the load test; the children are ended and their folders removed however it ends. */
export async function runLoad(options: LoadOptions): Promise<LoadOutcome[]> {
  const log = options.log ?? (() => undefined);
  // Wall-clock time: the scheduler's process keeps the same deadline.
  const deadline = Date.now() + options.deadlineMs;
  const left = () => Math.max(0, deadline - Date.now());
  const grace = () => left() + END_MARGIN_MS;
  const bench = new BenchChildren('pktgen-bench-load-');
  // Also when the process exits before the run ends (a signal in bench/load.ts).
  const onExit = () => bench.close();
  process.once('exit', onExit);
  try {
    const scripts = await bench.scripts(options.tsx ?? false);
    // The cluster key of the session runs: over IPC only, never on a command line or in the environment.
    const key = randomBytes(32).toString('hex');
    const sim = bench.start(scripts.sim, [String(options.nodes)], scripts.execArgv);
    sim.send({ type: 'key', key });
    const { ports } = await next<{ ports: number[] }>(sim, 'ready', Math.min(left(), SIM_ANSWER_MS + options.nodes * 10));
    await ask(sim, { type: 'mode', silent: false, holdMs: options.holdMs ?? 0 }, 'mode', Math.min(left(), SIM_ANSWER_MS));
    const names = ports.map((_, i) => `n${i}`);
    const outcomes: LoadOutcome[] = [];
    for (const wire of options.wires) {
      const jobs = options.nodes * options.jobsPerNode;
      log(`${wire}: ${options.nodes} nodes x ${options.jobsPerNode} jobs = ${jobs} jobs; ${(left() / 1000).toFixed(0)} s left of the deadline`);
      // Clears what the nodes saw before this wire.
      await ask(sim, { type: 'report' }, 'report', Math.min(left(), SIM_ANSWER_MS));
      const config: PhaseConfig = { phase: 'load', wire, stateDir: bench.tempDir(), ports, jobs, deadlineAt: deadline - END_MARGIN_MS };
      const child = bench.start(scripts.phase, [JSON.stringify(config)], [...scripts.execArgv, ...(options.schedulerFlags ?? [])]);
      if (wire === 'session') child.send({ type: 'key', key });
      const result = await next<Extract<PhaseResult, { phase: 'load' }>>(child, 'load', grace());
      await exited(child, Math.min(grace(), 10_000));
      const seen = await ask<SimReport>(sim, { type: 'report', received: true }, 'report', Math.min(grace(), SIM_ANSWER_MS));
      const counted = tally(jobs, result.jobs, seen.received ?? [], names);
      outcomes.push({
        wire, nodes: options.nodes, jobs, ...counted, timedOut: !result.drained, notUp: result.notUp, peakRssMb: result.maxRssMb,
        wallS: result.wallS, jobsPerS: counted.succeeded / result.wallS, schedulerCpuS: result.cpuS, nodesUp: result.nodesUp,
        sim: { sessions: seen.sessions, statusRetries: seen.statusRetries, statusFailures: seen.statusFailures, outboxErrors: seen.outboxErrors },
        logs: result.logs,
      });
      log(`${wire}: ${counted.succeeded} succeeded, ${counted.lost} lost, ${counted.duplicated} duplicated in ${result.wallS.toFixed(1)} s${result.drained ? '' : ' (deadline)'}`);
      // Past the deadline the next wire could not run: it is reported as not run, not waited for.
      if (!result.drained) break;
    }
    sim.send({ type: 'stop' });
    await exited(sim, Math.min(grace(), 5000));
    return outcomes;
  } finally {
    process.off('exit', onExit);
    bench.close();
  }
}
