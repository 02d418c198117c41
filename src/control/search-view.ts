import type { SearchInfo, SearchTrialInfo } from '../protocol/control-messages.js';
import { parseSearch, searchJson } from '../input/search.js';
import { BPS_PER_MBPS } from '../input/rate.js';
import { framesPerSecond, searchProgress, type SearchRecord, type SizeProgress, type Trial } from '../scheduler/search.js';
import { csvCell } from './format.js';
import { PeerError } from '../errors.js';
import { escapeControl, isoTime } from '../text.js';

/** A search record as the control API carries it. */
export function searchInfo(search: SearchRecord): SearchInfo {
  return {
    id: search.id, json: JSON.stringify(searchJson(search.spec)), state: search.state, created_at: search.createdAt, finished_at: search.finishedAt ?? 0,
    trials: search.trials.map((trial) => ({
      size: trial.size, rate_bps: trial.rateBps, verdict: trial.verdict, loss_measured: trial.lossRatio !== undefined,
      loss_ratio: trial.lossRatio ?? 0, tx_bps: trial.txBps ?? 0, job_id: trial.jobId, reason: trial.reason,
    })),
  };
}

/** One trial as `status --json` shows it: rates in Mbit/s and Mpps, loss in percent; what was not measured is null. */
export interface TrialView {
  job_id: string;
  /** null: the probe, as fast as the node could send. */
  rate_mbps: number | null;
  rate_mpps: number | null;
  verdict: Trial['verdict'];
  loss_pct: number | null;
  tx_mbps: number | null;
  reason: string;
}

/** One frame size of a search as `status --json` shows it. */
export interface SizeView {
  size: number;
  state: SizeProgress['state'];
  /** The highest rate that passed so far, and the lowest that did not (null: not known yet). */
  lo_mbps: number;
  hi_mbps: number | null;
  /** The throughput found: set once the size is done. */
  throughput_mbps: number | null;
  throughput_mpps: number | null;
  reason: string;
  trials: TrialView[];
}

/** A search as `status --json` shows it: what was asked, then per size where it stands and the trials that led there. */
export interface SearchView {
  id: string;
  state: SearchRecord['state'];
  search: Record<string, unknown>;
  created_at: string;
  finished_at: string | null;
  sizes: SizeView[];
}

const mbps = (bps: number): number => Number((bps / BPS_PER_MBPS).toFixed(6));
const mpps = (bps: number, size: number): number => Number((framesPerSecond(bps, size) / 1e6).toFixed(6));

/** Replays a search's trials with the one search module: each size's bounds, result and trials. `json`: the search as parsedJson reads it. */
function searchProgressOf(info: SearchInfo, json: Record<string, unknown>): SizeProgress[] {
  const spec = parseSearch(json, `the scheduler's search ${info.id}`);
  return searchProgress(spec, info.trials.map(trialOf)).sizes;
}

/** The search as the scheduler wrote it; text that is not JSON is the peer's fault, said so. */
function parsedJson(info: SearchInfo): Record<string, unknown> {
  try {
    return JSON.parse(info.json) as Record<string, unknown>;
  } catch (error) {
    throw new PeerError('ERR_PEER', `the scheduler sent search ${escapeControl(info.id)} in a form this pktgen cannot read (${(error as Error).message}); is it a different version?`);
  }
}

function trialOf(info: SearchTrialInfo): Trial {
  const trial: Trial = { size: info.size, rateBps: info.rate_bps, verdict: info.verdict as Trial['verdict'], jobId: info.job_id, reason: info.reason };
  if (info.loss_measured) trial.lossRatio = info.loss_ratio;
  if (info.tx_bps > 0) trial.txBps = info.tx_bps;
  return trial;
}

/** A search as the `status --json` document shows it. */
export function searchView(info: SearchInfo): SearchView {
  const json = parsedJson(info);
  return {
    id: info.id, state: info.state as SearchRecord['state'], search: json,
    created_at: isoTime(info.created_at)!, finished_at: isoTime(info.finished_at),
    sizes: searchProgressOf(info, json).map((size) => ({
      size: size.size, state: size.state, lo_mbps: mbps(size.loBps), hi_mbps: size.hiBps === undefined ? null : mbps(size.hiBps),
      throughput_mbps: size.resultBps === undefined ? null : mbps(size.resultBps),
      throughput_mpps: size.resultBps === undefined ? null : mpps(size.resultBps, size.size),
      reason: size.reason,
      trials: size.trials.map((trial) => ({
        job_id: trial.jobId, rate_mbps: trial.rateBps === 0 ? null : mbps(trial.rateBps), rate_mpps: trial.rateBps === 0 ? null : mpps(trial.rateBps, trial.size),
        verdict: trial.verdict, loss_pct: trial.lossRatio === undefined ? null : Number((trial.lossRatio * 100).toFixed(6)),
        tx_mbps: trial.txBps === undefined ? null : mbps(trial.txBps), reason: trial.reason,
      })),
    })),
  };
}

/** One table row per size of each search: where it stands (its bounds while running) and what it found. */
export function searchRows(infos: SearchInfo[]): Array<Record<string, string>> {
  return infos.flatMap((info) => searchView(info).sizes.map((size) => ({
    search: info.id,
    size: String(size.size),
    state: size.state,
    bounds: size.state === 'searching' ? `${size.lo_mbps}..${size.hi_mbps ?? '?'} Mbit/s` : '-',
    'Mbit/s': size.throughput_mbps === null ? '-' : String(size.throughput_mbps),
    Mpps: size.throughput_mpps === null ? '-' : String(size.throughput_mpps),
    trials: String(size.trials.length),
    reason: size.reason,
  })));
}

const CSV_COLUMNS = ['search', 'size', 'size_state', 'throughput_mbps', 'throughput_mpps', 'trial', 'job_id', 'rate_mbps', 'rate_mpps', 'verdict', 'loss_pct', 'tx_mbps', 'reason'];

/** Searches as CSV, one row per trial, each with its size's result (empty while the size is not done). */
export function searchesCsv(infos: SearchInfo[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  const cell = (value: number | string | null): string => csvCell(value === null ? '' : String(value));
  for (const info of infos) {
    for (const size of searchView(info).sizes) {
      size.trials.forEach((trial, i) => {
        rows.push([info.id, size.size, size.state, size.throughput_mbps, size.throughput_mpps, i + 1, trial.job_id, trial.rate_mbps, trial.rate_mpps,
          trial.verdict, trial.loss_pct, trial.tx_mbps, trial.reason].map(cell).join(','));
      });
    }
  }
  return rows.join('\n');
}
