import { FINAL_STATES, type JobInfo, type JobState } from '../../src/protocol/view.js';
import type { Sighting } from './watcher.js';

/** What the nodes' logs say of one job: how often a node started it, and how each run ended there. */
export interface NodeRuns {
  starts: number;
  /** 'succeeded', or the reason of a FAIL, in log order. */
  outcomes: string[];
}

/** A job a fault test submitted, and the re-runs it allowed. */
export interface SubmittedJob {
  id: string;
  retries: number;
}

/** The figures every fault test prints, and the findings behind them. */
export interface FaultFigures {
  jobs: number;
  /** Ended exactly once, in a final state, with a reason (a succeeded job: with its statistics). */
  ended: number;
  /** Never ended, or a node's result for it never reached the scheduler. */
  lost: number;
  /** Started at the nodes more often than 1 + its retries. */
  duplicated: number;
  /** pktgen-emit processes left without their serve. */
  orphans: number;
  /** One line per finding, naming the job. */
  problems: string[];
}

// A re-run may reach its node under the job id and a run number ("<id>.2"): it counts for the job.
const STARTED = /\bstarted job (j[0-9a-f]+)(?:\.\d+)?\b/;
const SUCCEEDED = /\bjob (j[0-9a-f]+)(?:\.\d+)? succeeded\b/;
const FAILED = /\bjob (j[0-9a-f]+)(?:\.\d+)? failed: (.*)$/;
// A run the node stopped itself (its shutdown): a FAIL with that reason, logged without the word "failed".
const STOPPED = /\bstopped job (j[0-9a-f]+)(?:\.\d+)?: (.*)$/;

/** Reads the "started job X", "job X succeeded", "job X failed: R" and "stopped job X: R" lines of the nodes' logs. */
export function nodeRuns(logs: readonly string[]): Map<string, NodeRuns> {
  const runs = new Map<string, NodeRuns>();
  const of = (id: string): NodeRuns => {
    let entry = runs.get(id);
    if (!entry) runs.set(id, (entry = { starts: 0, outcomes: [] }));
    return entry;
  };
  for (const line of logs.join('\n').split('\n')) {
    let match = STARTED.exec(line);
    if (match) of(match[1]!).starts += 1;
    if ((match = SUCCEEDED.exec(line))) of(match[1]!).outcomes.push('succeeded');
    else if ((match = FAILED.exec(line) ?? STOPPED.exec(line))) of(match[1]!).outcomes.push(match[2]!);
  }
  return runs;
}

const isFinal = (state: JobState): boolean => FINAL_STATES.includes(state);

/** How many times a job entered a final state, from the watcher's sightings and the final status. */
export function endings(history: readonly Sighting[], last: JobState | undefined): number {
  const states = history.map((s) => s.state);
  if (last !== undefined && states.at(-1) !== last) states.push(last);
  return states.filter((state, i) => isFinal(state) && states[i - 1] !== state).length;
}

/** What the figures read of a job, as `status --json` shows it (stats null when none) or as the scheduler holds it. */
type FinalJob = Pick<JobInfo, 'id' | 'state' | 'reason'> & { stats?: unknown; late?: { type: string } };

/** The figures of one fault test: every job against what the scheduler and the nodes say of it. */
export function computeFigures(input: {
  jobs: readonly SubmittedJob[];
  /** The jobs of the final `pktgen status --json`. */
  final: readonly FinalJob[];
  histories: ReadonlyMap<string, readonly Sighting[]>;
  runs: ReadonlyMap<string, NodeRuns>;
  orphans: number;
  /** Jobs whose results have no way to the scheduler (a dead reply address): not counted as lost results. */
  undeliverable?: ReadonlySet<string>;
}): FaultFigures {
  const final = new Map(input.final.map((job) => [job.id, job]));
  const figures: FaultFigures = { jobs: input.jobs.length, ended: 0, lost: 0, duplicated: 0, orphans: input.orphans, problems: [] };
  const problem = (text: string): number => figures.problems.push(text);
  for (const { id, retries } of input.jobs) {
    const job = final.get(id);
    const history = input.histories.get(id) ?? [];
    const runs = input.runs.get(id) ?? { starts: 0, outcomes: [] };
    const seen = history.map((s) => s.state).filter((state, i, all) => state !== all[i - 1]).join(' -> ') || 'never seen';
    if (runs.starts > 1 + retries) {
      figures.duplicated += 1;
      problem(`job ${id}: started ${runs.starts} times at the nodes (retries ${retries})`);
    }
    if (!job || !isFinal(job.state)) {
      figures.lost += 1;
      problem(`job ${id}: never ended (${job ? `still ${job.state}` : 'unknown to the scheduler'}; seen: ${seen})`);
      continue;
    }
    const nodeSaid = runs.outcomes.at(-1);
    if (nodeSaid !== undefined && !resultKept(job, nodeSaid) && !input.undeliverable?.has(id)) {
      figures.lost += 1;
      problem(`job ${id}: the node ended it (${nodeSaid}) but the scheduler has ${job.state} "${job.reason}" without that result`);
    }
    const times = endings(history, job.state);
    const withReason = job.state === 'succeeded' ? job.stats != null : job.reason !== '';
    if (times > 1) problem(`job ${id}: ended ${times} times (${seen})`);
    if (!withReason) problem(`job ${id}: ${job.state} without a ${job.state === 'succeeded' ? 'result' : 'reason'}`);
    if (times <= 1 && withReason) figures.ended += 1;
  }
  if (figures.orphans > 0) problem(`${figures.orphans} pktgen-emit process(es) left without their serve`);
  return figures;
}

/**
 * True when the scheduler holds the result a node reported last for a job (`outcome`: 'succeeded' or
 * a FAIL reason): as the job's own, or kept beside a lost job as its late result.
 */
function resultKept(job: FinalJob, outcome: string): boolean {
  if (outcome === 'succeeded') return job.stats != null || job.late?.type === 'SUCCESS';
  return job.state === 'failed' || job.late?.type === 'FAIL';
}

/** The one line a fault test prints: `faults: NAME: jobs 6 ended 6 lost 0 duplicated 0 orphans 0`. */
export function figuresLine(name: string, f: FaultFigures): string {
  return `faults: ${name}: jobs ${f.jobs} ended ${f.ended} lost ${f.lost} duplicated ${f.duplicated} orphans ${f.orphans}`;
}
