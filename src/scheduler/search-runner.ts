import { randomBytes } from 'node:crypto';
import { PktgenError, UserError, describeError } from '../errors.js';
import { isFinal } from '../protocol/view.js';
import { parseJob, type JobSpec } from '../input/job.js';
import { SEARCH_LIMITS, type SearchSpec } from '../input/search.js';
import type { Logger } from '../log.js';
import { judgeTrial, searchOfJob, searchProgress, trialJobId, type SearchRecord, type Trial } from './search.js';
import type { JobRecord } from './types.js';

/** After a failed save, how long until the search is advanced again. */
const RETRY_MS = 1000;

/** What the runner needs of the scheduler service. */
export interface SearchHost {
  job(id: string): JobRecord | undefined;
  /** Saves searches, and queues jobs under the given ids, in ONE transaction (SchedulerService.submit). */
  submit(request: { searches: SearchRecord[]; jobs?: JobSpec[]; ids?: string[] }): Promise<unknown>;
  log: Logger;
  clock(): number;
}

/**
 * Runs throughput searches (search.ts) as ordinary durable jobs: one trial job at a time per search,
 * queued on the search's node like any job (so retries, loss and node failures work as for jobs).
 * When a trial's job ends, its verdict is appended to the search and the next trial is queued in
 * the same transaction. Trial jobs have fixed ids (trialJobId): after a restart, a trial whose job
 * is already queued, running or finished is taken up, never queued a second time.
 */
export class SearchRunner {
  private readonly records = new Map<string, SearchRecord>();
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  /**
   * The record of each search's current trial job, held from when it is queued: the core updates a
   * job's record in place, and retention (--keep-jobs, --keep-for) may remove a finished job from
   * the scheduler in the very step that finished it, before the search has judged it.
   */
  private readonly trialJobs = new Map<string, JobRecord>();
  private stopped = false;

  constructor(private readonly host: SearchHost, loaded: SearchRecord[]) {
    for (const search of loaded) this.records.set(search.id, search);
  }

  /** Every search, oldest first. */
  list(): SearchRecord[] {
    return [...this.records.values()];
  }

  /** Starts a search: saved together with its first trial's job. */
  async start(spec: SearchSpec): Promise<SearchRecord> {
    let id = `s${randomBytes(6).toString('hex')}`;
    while (this.records.has(id)) id = `s${randomBytes(6).toString('hex')}`;
    const search: SearchRecord = { id, spec, trials: [], state: 'running', createdAt: this.host.clock() };
    const next = searchProgress(spec, [])!.next!;
    await this.host.submit({ searches: [search], jobs: [trialJob(spec, next.size, next.rateBps)], ids: [trialJobId(id, 0)] });
    this.hold(trialJobId(id, 0));
    this.records.set(id, search);
    this.host.log.info(`search ${id}: throughput of ${spec.node} to ${spec.target} for frame sizes ${spec.sizes.join(', ')}; first trial ${trialJobId(id, 0)}`);
    return search;
  }

  /** Takes up every running search after a restart: a trial that ended meanwhile counts now, a missing one is queued. */
  resume(): void {
    for (const search of this.records.values()) if (search.state === 'running') void this.advance(search.id);
  }

  /** A job ended (saved): if it is a search's trial, the search moves on. */
  jobFinished(jobId: string): void {
    const search = searchOfJob(jobId);
    if (search && this.records.has(search)) setImmediate(() => void this.advance(search));
  }

  /** Stops advancing (the scheduler is stopping); saved searches resume on the next start. */
  stop(): void {
    this.stopped = true;
  }

  /** Moves one search on as far as its saved jobs allow; one at a time per search. */
  private async advance(id: string): Promise<void> {
    if (this.stopped) return;
    if (this.busy.has(id)) {
      this.again.add(id);
      return;
    }
    this.busy.add(id);
    try {
      while (await this.step(id));
    } catch (error) {
      this.host.log.error(`search ${id}: cannot save its next step (${describeError(error)}); trying again in ${RETRY_MS / 1000} s`);
      setTimeout(() => void this.advance(id), RETRY_MS).unref();
    } finally {
      this.busy.delete(id);
      if (this.again.delete(id)) void this.advance(id);
    }
  }

  /** One step; true when there may be another at once. */
  private async step(id: string): Promise<boolean> {
    const search = this.records.get(id);
    if (!search || search.state === 'done' || this.stopped) return false;
    const { next } = searchProgress(search.spec, search.trials);
    const index = search.trials.length;
    if (!next) {
      await this.save({ ...search, state: 'done', finishedAt: this.host.clock() });
      return false;
    }
    const jobId = trialJobId(id, index);
    const job = this.host.job(jobId) ?? this.trialJobs.get(jobId);
    if (!job) {
      // Its job is not there and was not queued by this process: a restart came after retention
      // removed the finished job and before its verdict was saved. The trial is queued again.
      await this.queueOrFail(search, next.size, next.rateBps, jobId);
      return true;
    }
    this.trialJobs.set(jobId, job);
    if (!isFinal(job)) return false;
    const trial = judgeTrial(search.spec, next.size, next.rateBps, jobId, { state: job.state, reason: job.reason, stats: job.stats });
    await this.record(search, trial);
    this.trialJobs.delete(jobId);
    return true;
  }

  /** Appends a trial; queues the next one (or ends the search) in the same transaction. */
  private async record(search: SearchRecord, trial: Trial): Promise<void> {
    const updated: SearchRecord = { ...search, trials: [...search.trials, trial] };
    const { next, sizes } = searchProgress(updated.spec, updated.trials);
    this.host.log.info(`search ${search.id}: ${trial.size}-byte frames at ${trial.rateBps === 0 ? 'full speed' : `${trial.rateBps / 1e6} Mbit/s`}: ${trial.verdict}${trial.reason ? ` (${trial.reason})` : ''}`);
    if (!next) {
      updated.state = 'done';
      updated.finishedAt = this.host.clock();
      await this.save(updated);
      this.host.log.info(`search ${search.id} done: ${sizes.map((s) => `${s.size} B ${s.state === 'done' ? `${(s.resultBps ?? 0) / 1e6} Mbit/s` : `aborted (${s.reason})`}`).join('; ')}`);
      return;
    }
    const nextId = trialJobId(search.id, updated.trials.length);
    let spec: JobSpec;
    try {
      spec = trialJob(updated.spec, next.size, next.rateBps);
    } catch (error) {
      // A trial that cannot be queued (its node or target is gone) fails: the size is given up, saying why.
      await this.save({ ...updated, trials: [...updated.trials, failedTrial(next.size, next.rateBps, nextId, error)] });
      return;
    }
    await this.host.submit({ searches: [updated], jobs: [spec], ids: [nextId] });
    this.hold(nextId);
    this.records.set(search.id, updated);
  }

  private async queueOrFail(search: SearchRecord, size: number, rateBps: number, jobId: string): Promise<void> {
    let spec: JobSpec;
    try {
      spec = trialJob(search.spec, size, rateBps);
    } catch (error) {
      await this.save({ ...search, trials: [...search.trials, failedTrial(size, rateBps, jobId, error)] });
      return;
    }
    await this.host.submit({ searches: [], jobs: [spec], ids: [jobId] });
    this.hold(jobId);
    // The core queues no job for a node it no longer knows (it logs why): the trial fails instead of looping.
    if (!this.host.job(jobId)) {
      const reason = `cannot queue the trial: node ${search.spec.node} is not known to the scheduler`;
      await this.save({ ...search, trials: [...search.trials, { size, rateBps, verdict: 'failed', jobId, reason }] });
    }
  }

  /** Holds the record of a trial job just queued (none when the core refused it). */
  private hold(jobId: string): void {
    const job = this.host.job(jobId);
    if (job) this.trialJobs.set(jobId, job);
  }

  private async save(search: SearchRecord): Promise<void> {
    await this.host.submit({ searches: [search] });
    this.records.set(search.id, search);
  }
}

/** The job of one trial, checked by the one job schema: `rateBps` of `size`-byte frames (0: as fast as the node can). */
export function trialJob(spec: SearchSpec, size: number, rateBps: number): JobSpec {
  const data = { ...(rateBps === 0 ? { m: 0 } : { rate_bps: rateBps }), t: spec.trialS, w: spec.warmupS, n: 1, s_min: size };
  return parseJob({ nodes: [spec.node], target: spec.target, data, retries: SEARCH_LIMITS.trialRetries }, `search trial (${size} bytes)`);
}

function failedTrial(size: number, rateBps: number, jobId: string, error: unknown): Trial {
  if (!(error instanceof UserError) && !(error instanceof PktgenError)) throw error;
  return { size, rateBps, verdict: 'failed', jobId, reason: `cannot queue the trial: ${describeError(error)}` };
}
