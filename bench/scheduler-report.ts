/**
 * What bench/scheduler.ts prints: one block of rows per measured run, each figure with its goal,
 * and the closing JSON line with the figures of issue 10 and whether each goal is met.
 */
import type { PhaseResult, Wire } from './scheduler-phase.js';
import type { SimReport } from './sim-nodes.js';
import type { Summary } from './stats.js';

/** The goals, in one place. */
export const GOALS = {
  /** Dispatch over the legacy wire, 1,000 nodes (the first scheduler round's goal). */
  legacyJobsPerS: 5000,
  /** Dispatch over sessions, 1,000 nodes: ten times the old Python scheduler (~1,300-1,500 jobs/s). */
  sessionJobsPerS: 15_000,
  /** Sessions against the legacy wire, same run. */
  sessionOverLegacy: 3,
  /** Status to next job at 1,000 nodes, in the scheduler. */
  p99Ms: 5,
  /** Status to next job at one node, seen by the node: over a session, and over the legacy wire (the old scheduler's 0.67 ms). */
  sessionP99Ms1Node: 0.5,
  legacyP99Ms1Node: 0.7,
  rssMb: 200,
  restartS: 3,
} as const;

export type Throughput = Extract<PhaseResult, { phase: 'throughput' }>;
export type Queue = Extract<PhaseResult, { phase: 'queue' }>;
export type Restart = Extract<PhaseResult, { phase: 'restart' }>;
/** A throughput run with what the simulator saw meanwhile and the share of the machine others took. */
export interface Measured { run: Throughput & { sinceForkS: number }; sim: SimReport; othersPct: number }

export const row = (label: string, value: string, note = '') => console.log(`${label.padEnd(56)}${value.padStart(14)}   ${note}`);
// NaN (no samples) crosses IPC as null.
export const ms = (value: number | null) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(2));
export const rate = (run: Throughput) => run.completed / run.wallS;

export function ratio(measured: number | null, goal: number, better: 'higher' | 'lower'): string {
  if (measured === null || Number.isNaN(measured)) return `goal ${better === 'higher' ? '>=' : '<='} ${goal}: not measured`;
  const r = measured / goal;
  const met = better === 'higher' ? r >= 1 : r <= 1;
  return `goal ${better === 'higher' ? '>=' : '<='} ${goal}: measured/goal ${r.toFixed(2)} ${met ? 'MET' : 'MISSED'}`;
}

const perJob = (calls: { reads: number; writes: number }, jobs: number) =>
  `${(calls.reads / Math.max(1, jobs)).toFixed(1)}+${(calls.writes / Math.max(1, jobs)).toFixed(1)}`;
const sessionsNote = (sim: SimReport) => `sessions opened ${sim.sessions.opened}, refused ${sim.sessions.refused}, ended ${sim.sessions.ended}`;

/** The rows of one dispatch run at full speed. */
export function printDispatch(wire: Wire, { run, sim, othersPct }: Measured, maxSeconds: number, goal: number): void {
  const perJobUs = (run.cpuS * 1e6) / Math.max(1, run.completed);
  const l = run.latencyMs;
  row(`${wire}: jobs/s dispatched end-to-end (completed / wall)`, rate(run).toFixed(0), ratio(rate(run), goal, 'higher'));
  row('   completed / wall (s)', `${run.completed} / ${run.wallS.toFixed(2)}`,
    `${run.drained ? 'drained' : `NOT drained after ${maxSeconds} s`}, ${run.unfinished} unfinished, ${run.notSucceeded} not succeeded; addJobs ${run.queueS.toFixed(2)} s`);
  if (wire === 'session') row('   sessions open before the clock started', `${run.nodesUp.up} in ${run.nodesUp.seconds.toFixed(2)} s`, sessionsNote(sim));
  row('   CPU: scheduler / simulator / others (% of one core)', `${((100 * run.cpuS) / run.wallS).toFixed(0)} / ${((100 * sim.cpuS) / run.wallS).toFixed(0)} / ${othersPct.toFixed(0)}`,
    `store: ${run.store.applies} applies, ${(run.store.records / Math.max(1, run.store.applies)).toFixed(1)} records each, ${run.store.seconds.toFixed(2)} s in apply, ${run.store.slow} took > 5 ms (max ${run.store.maxMs.toFixed(0)})`);
  row('   scheduler CPU per job (us, all its threads)', perJobUs.toFixed(0), `= ${(1e6 / perJobUs).toFixed(0)} jobs/s if it had one core to itself`);
  row('   CPU per job: simulator (us)', ((sim.cpuS * 1e6) / Math.max(1, run.completed)).toFixed(0));
  row('   system calls a job: scheduler / simulator (read+write)', `${perJob(run.syscalls, run.completed)} / ${perJob(sim.syscalls, run.completed)}`, 'from /proc/self/io: sockets and the store alike');
  row('   scheduler event-loop delay p50/p99/max (ms)', `${ms(run.loopDelayMs.p50)}/${ms(run.loopDelayMs.p99)}/${run.loopDelayMs.max.toFixed(0)}`);
  row('   GC pauses: young / full, total (s)', `${run.gc.young.count} / ${run.gc.full.count}, ${run.gc.totalS.toFixed(2)}`,
    `young: ${run.gc.young.over5Ms} took > 5 ms (max ${run.gc.young.maxMs.toFixed(0)}); full: ${run.gc.full.over5Ms} took > 5 ms (max ${run.gc.full.maxMs.toFixed(0)})`);
  row('   scheduler RSS at drain / peak (MB)', `${run.rssMb.toFixed(0)} / ${run.maxRssMb.toFixed(0)}`);
  row('   log records info/warn/error (discarded)', `${run.logs.info}/${run.logs.warn}/${run.logs.error}`, run.logs.samples.join(' | '));
  row('   status-to-next-job in the scheduler p50/p99 (ms)', `${ms(l.p50)}/${ms(l.p99)}`,
    `${ratio(l.p99, GOALS.p99Ms, 'lower')}; final status read off its socket -> next job write() for that node`);
  row('   p90 / p99.9 / max (ms)', `${ms(l.p90)}/${ms(l.p999)}/${ms(l.max)}`, `${l.count} samples (diagnostics_channel probe in the scheduler process)`);
  row('   seen by the nodes: SUCCESS sent -> next job, p50/p99', `${ms(sim.latencyMs.p50)}/${ms(sim.latencyMs.p99)}`,
    wire === 'legacy' ? `includes waiting in the scheduler's accept queue; status retries ${sim.statusRetries}, failures ${sim.statusFailures}` : sessionsNote(sim));
}

/** The row of a run below saturation (jobs last --hold-ms at their node). */
export function printPaced(wire: Wire, run: Throughput, sim: SimReport, holdMs: number): void {
  row(`${wire}: at ${rate(run).toFixed(0)} jobs/s (jobs last ~${holdMs} ms): p50/p99 (ms)`, `${ms(run.latencyMs.p50)}/${ms(run.latencyMs.p99)}`,
    `${ratio(run.latencyMs.p99, GOALS.p99Ms, 'lower')}; seen by the nodes ${ms(sim.latencyMs.p50)}/${ms(sim.latencyMs.p99)}; scheduler CPU ${((100 * run.cpuS) / run.wallS).toFixed(0)}%; warnings ${run.logs.warn + run.logs.error}, status retries ${sim.statusRetries}`);
}

/** The rows of the one-node run: status to next job as the node sees it, and in the scheduler. */
export function printOneNode(wire: Wire, run: Throughput, sim: SimReport, goal: number): void {
  const seen: Summary = sim.latencyMs;
  row(`${wire}, one node: SUCCESS sent -> next job p50/p99 (ms)`, `${ms(seen.p50)}/${ms(seen.p99)}`, ratio(seen.p99, goal, 'lower'));
  row('   p90 / p99.9 / max (ms), samples', `${ms(seen.p90)}/${ms(seen.p999)}/${ms(seen.max)}`,
    `${seen.count} samples after the warm-up; ${rate(run).toFixed(0)} jobs/s back to back; a job: scheduler CPU ${((1e6 * run.cpuS) / Math.max(1, run.completed)).toFixed(0)} us, ` +
    `simulator ${((1e6 * sim.cpuS) / Math.max(1, run.completed)).toFixed(0)} us; system calls (read+write) ${perJob(run.syscalls, run.completed)} / ${perJob(sim.syscalls, run.completed)}`);
  row('   in the scheduler: status read -> next job written p50/p99', `${ms(run.latencyMs.p50)}/${ms(run.latencyMs.p99)}`, `${run.latencyMs.count} samples`);
}

/** The rows of the RSS with --queued jobs queued. */
export function printQueue(wire: Wire, queue: Queue, goal: number): void {
  row(`${wire}: RSS with ${queue.queued + queue.inFlight} jobs queued (MB)`, queue.rssMb.toFixed(0),
    `${ratio(queue.rssMb, goal, 'lower')}; ${queue.queued} pending + ${queue.inFlight} sent to silent nodes (${queue.nodesUp.up} up); peak ${queue.maxRssMb.toFixed(0)}, heap used ${queue.heapUsedMb.toFixed(0)}, resident young ${queue.spacesMb.young!.toFixed(0)} + old ${queue.spacesMb.old!.toFixed(0)}`);
}

export function printRestart(restart: Restart & { sinceForkS: number }): void {
  row('   RSS after a restart with them (MB)', restart.rssMb.toFixed(0), `peak ${restart.maxRssMb.toFixed(0)}`);
  row(`restart with ${restart.queued + restart.inFlight} queued: open..listening (s)`, restart.totalS.toFixed(2),
    `${ratio(restart.totalS, GOALS.restartS, 'lower')}; open ${restart.openS.toFixed(2)} + construct ${restart.constructS.toFixed(2)} + start ${restart.startS.toFixed(2)}`);
  row('   restart: process start..listening (s)', restart.processS.toFixed(2),
    `${ratio(restart.processS, GOALS.restartS, 'lower')}; node startup included (fork..result ${restart.sinceForkS.toFixed(2)} s)`);
}

/** The figures of issue 10 (null: not measured). */
export interface Figures {
  session_jobs_per_s: number;
  legacy_jobs_per_s: number;
  session_p99_ms_1node: number | null;
  legacy_p99_ms_1node: number | null;
  rss_mb_100k_queued: number;
}

/** The closing JSON line: the figures, and "met" / "not met" for each goal. */
export function summaryLine(figures: Figures): string {
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  const at = (value: number | null, places: number) => (value === null || Number.isNaN(value) ? null : Number(value.toFixed(places)));
  const f = figures;
  const under = (value: number | null, goal: number) => value !== null && !Number.isNaN(value) && value <= goal;
  return JSON.stringify({
    session_jobs_per_s: at(f.session_jobs_per_s, 0),
    legacy_jobs_per_s: at(f.legacy_jobs_per_s, 0),
    session_p99_ms_1node: at(f.session_p99_ms_1node, 3),
    legacy_p99_ms_1node: at(f.legacy_p99_ms_1node, 3),
    rss_mb_100k_queued: at(f.rss_mb_100k_queued, 1),
    goals: {
      [`session_jobs_per_s >= ${GOALS.sessionJobsPerS}`]: met(f.session_jobs_per_s >= GOALS.sessionJobsPerS),
      [`session_jobs_per_s >= ${GOALS.sessionOverLegacy} x legacy_jobs_per_s`]: met(f.session_jobs_per_s >= GOALS.sessionOverLegacy * f.legacy_jobs_per_s),
      [`session_p99_ms_1node <= ${GOALS.sessionP99Ms1Node}`]: met(under(f.session_p99_ms_1node, GOALS.sessionP99Ms1Node)),
      [`legacy_p99_ms_1node <= ${GOALS.legacyP99Ms1Node}`]: met(under(f.legacy_p99_ms_1node, GOALS.legacyP99Ms1Node)),
      [`rss_mb_100k_queued <= ${GOALS.rssMb}`]: met(under(f.rss_mb_100k_queued, GOALS.rssMb)),
    },
  });
}
