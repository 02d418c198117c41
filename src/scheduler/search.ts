import type { Stats } from '../protocol/messages.js';
import type { JobState } from '../protocol/view.js';
import { SEARCH_LIMITS, type SearchSpec } from '../input/search.js';
import { BPS_PER_MBPS } from '../input/rate.js';

/**
 * The RFC 2544 (section 26.1) throughput search, as a pure function of its trials: per frame size, a
 * binary search of fixed-length trials for the highest rate whose loss is within the limit, stopping
 * when hi - lo is at most the resolution. No I/O, no clock: the scheduler's search runner saves the
 * trials, and the search's whole state is replayed from them, so a restarted scheduler resumes exactly
 * where the saved trials leave off.
 */

/** How a trial ended: within the loss limit, beyond it, short of its rate (the rate was not offered), or the job itself failed. */
export type TrialVerdict = 'pass' | 'loss' | 'short' | 'failed';

/** One trial as the search keeps it. */
export interface Trial {
  size: number;
  /** The rate asked for, frame bits/s; 0 = as fast as the node can send (the probe for an upper bound). */
  rateBps: number;
  verdict: TrialVerdict;
  /** Round-trip loss, 0..1; absent when not measured (a failed trial). */
  lossRatio?: number;
  /** The rate the node sent, frame bits/s over the measured window; absent when not measured. */
  txBps?: number;
  /** The trial's job. */
  jobId: string;
  /** Why the trial failed, or did not offer its rate; '' otherwise. */
  reason: string;
}

/** Where the search of one frame size stands. */
export interface SizeProgress {
  size: number;
  /** waiting: not begun; searching; done: found (resultBps); aborted: a trial failed (reason). */
  state: 'waiting' | 'searching' | 'done' | 'aborted';
  /** Highest rate that passed, bits/s (0: none yet). */
  loBps: number;
  /** Lowest rate that did not pass, or the upper bound; absent until known (before the probe). */
  hiBps?: number;
  /** The throughput found: the highest rate that passed (0: no rate passed); set once done. */
  resultBps?: number;
  reason: string;
  trials: Trial[];
}

/** The search as its trials leave it: each size's progress, and the next trial to run (none: the search is over). */
export interface SearchProgress {
  sizes: SizeProgress[];
  next?: { size: number; rateBps: number };
}

/** Replays `trials` (in the order they ran) against `spec`. */
export function searchProgress(spec: SearchSpec, trials: readonly Trial[]): SearchProgress {
  const sizes: SizeProgress[] = [];
  let next: SearchProgress['next'];
  for (const size of spec.sizes) {
    const progress = sizeProgress(spec, size, trials.filter((trial) => trial.size === size));
    sizes.push(progress);
    if (!next && progress.state !== 'done' && progress.state !== 'aborted') {
      progress.state = progress.trials.length > 0 ? 'searching' : 'waiting';
      next = { size, rateBps: nextRate(spec, progress) };
      if (progress.trials.length === 0 && next.rateBps > 0) progress.hiBps = next.rateBps;
    }
  }
  return next ? { sizes, next } : { sizes };
}

/** The search of one size from its trials: done or aborted, or searching between loBps and hiBps. */
function sizeProgress(spec: SearchSpec, size: number, trials: Trial[]): SizeProgress {
  const progress: SizeProgress = { size, state: 'waiting', loBps: 0, reason: '', trials };
  if (spec.maxRateBps !== undefined) progress.hiBps = spec.maxRateBps;
  let bound = spec.maxRateBps;
  for (const trial of trials) {
    if (trial.verdict === 'failed') {
      return { ...progress, state: 'aborted', reason: `trial at ${rateText(trial.rateBps)} failed: ${trial.reason}` };
    }
    if (trial.rateBps === 0) {
      // The probe: the node's highest rate is the upper bound, and the answer if nothing was lost there.
      bound = Math.floor(trial.txBps ?? 0);
      progress.hiBps = bound;
      if (trial.verdict === 'pass') return done(progress, bound, 'no loss at the highest rate the node sends: the path may take more');
      if (bound <= 0) return { ...progress, state: 'aborted', reason: 'the node sent nothing as fast as it could' };
    } else if (trial.verdict === 'pass') {
      progress.loBps = trial.rateBps;
      if (trial.rateBps === bound) return done(progress, bound, 'no loss at max_rate: the path may take more');
    } else {
      progress.hiBps = trial.rateBps;
    }
  }
  if (progress.hiBps !== undefined && trials.length > 0 && progress.hiBps - progress.loBps <= resolutionBps(spec, bound!)) {
    return done(progress, progress.loBps, progress.loBps === 0 ? `no rate tried met the loss limit of ${spec.maxLossPct}%` : '');
  }
  return progress;
}

function done(progress: SizeProgress, resultBps: number, reason: string): SizeProgress {
  return { ...progress, state: 'done', resultBps, reason };
}

/** The rate of a size's next trial: the upper bound first (the probe when there is none), then halfway between the bounds. */
function nextRate(spec: SearchSpec, progress: SizeProgress): number {
  if (progress.trials.length === 0) return spec.maxRateBps ?? 0;
  return Math.round((progress.loBps + progress.hiBps!) / 2);
}

/** The search resolution in bits/s, for a size whose upper bound is `boundBps`. */
export function resolutionBps(spec: SearchSpec, boundBps: number): number {
  // At least 1 bit/s: rates are whole bits/s, so a finer step could never end the search.
  return Math.max(1, 'bps' in spec.resolution ? spec.resolution.bps : (boundBps * spec.resolution.pct) / 100);
}

/** How a trial's job ended, as the search needs it. */
export interface TrialOutcome {
  state: JobState;
  reason: string;
  stats?: Stats;
}

/**
 * A finished trial's verdict. A job that did not succeed is a failed trial (its retries are spent),
 * never "loss": the search gives that size up, saying why. A SUCCESS without echoes has no loss to
 * judge: failed too. A paced trial that sent less than SEARCH_LIMITS.minSentPct of its rate did not
 * offer that rate: it does not pass, whatever its loss.
 */
export function judgeTrial(spec: SearchSpec, size: number, rateBps: number, jobId: string, outcome: TrialOutcome): Trial {
  const trial: Trial = { size, rateBps, verdict: 'failed', jobId, reason: '' };
  const { stats } = outcome;
  if (outcome.state !== 'succeeded') {
    trial.reason = `job ${jobId} ${outcome.state}${outcome.reason ? `: ${outcome.reason}` : ''}`;
    return trial;
  }
  if (!stats || !stats.rx_measured) {
    trial.reason = `job ${jobId}: no echoes came back from the target, so loss is unknown`;
    if (stats) trial.txBps = sentBps(stats);
    return trial;
  }
  trial.lossRatio = stats.loss_ratio;
  trial.txBps = sentBps(stats);
  // Noise only: 7 lost of 1000 is 0.7000000000000001 %, which meets "0.7%" (as expectations.ts).
  const lossOk = stats.loss_ratio * 100 <= spec.maxLossPct + 1e-9;
  // Loss beyond the limit is the verdict whatever was sent; only a trial without it can fall short.
  if (!lossOk) trial.verdict = 'loss';
  else if (rateBps > 0 && trial.txBps < (rateBps * SEARCH_LIMITS.minSentPct) / 100) {
    trial.verdict = 'short';
    trial.reason = `sent ${rateText(trial.txBps)}, under ${SEARCH_LIMITS.minSentPct}% of the rate asked for`;
  } else {
    trial.verdict = 'pass';
  }
  return trial;
}

/** The rate a node sent: frame bits over the measured window (the interval mean on a node before tx_mbps). */
function sentBps(stats: Stats): number {
  return (stats.tx_mbps > 0 ? stats.tx_mbps : stats.tx_mbps_mean) * BPS_PER_MBPS;
}

/** Frames per second at `bps` of `size`-byte frames (FCS included, as pktgen counts a rate). */
export const framesPerSecond = (bps: number, size: number): number => bps / (size * 8);

/** A trial rate for messages: "as fast as possible", or Mbit/s. */
function rateText(bps: number): string {
  return bps === 0 ? 'as fast as possible' : `${Number((bps / BPS_PER_MBPS).toPrecision(6))} Mbit/s`;
}

/** A search as the scheduler keeps it: what was asked, and the trials run so far (its whole state). */
export interface SearchRecord {
  /** "s" and 12 hex digits; its trials' jobs are `<id>t<n>`. */
  id: string;
  spec: SearchSpec;
  trials: Trial[];
  /** running until every size is done or aborted. */
  state: 'running' | 'done';
  createdAt: number;
  finishedAt?: number;
}

/** The states a search record may be in. */
export const SEARCH_STATES: readonly SearchRecord['state'][] = ['running', 'done'];

/** Every trial verdict. */
export const TRIAL_VERDICTS: readonly TrialVerdict[] = ['pass', 'loss', 'short', 'failed'];

/**
 * The job id of trial `index` of search `searchId`: fixed, so that a scheduler that restarts after
 * queuing a trial finds that trial's job instead of queuing it again (a trial never runs twice).
 */
export const trialJobId = (searchId: string, index: number): string => `${searchId}t${index}`;

const TRIAL_ID = /^(s[0-9a-f]{12})t\d+$/;

/** The search whose trial job `jobId` is, or undefined for a job of no search. */
export function searchOfJob(jobId: string): string | undefined {
  return TRIAL_ID.exec(jobId)?.[1];
}
