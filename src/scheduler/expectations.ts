import type { JobData, Stats } from '../protocol/messages.js';
import { expectationsJson, type Expectations } from '../input/job.js';
import { requestedMbps } from '../input/rate.js';

/**
 * Why a job's result misses its expectations, one clause per expectation missed or not measured
 * ("expectation max_loss 0.1% missed: loss 2.31%"), joined by "; "; '' when it meets them all.
 * Pure: the core calls it when a SUCCESS arrives. A figure the run did not measure never passes.
 */
export function missedExpectations(expect: Expectations | undefined, stats: Stats | undefined, data: Pick<JobData, 'm' | 'rate_bps' | 'pps' | 's_min' | 's_max'>): string {
  if (!expect) return '';
  const shown = expectationsJson(expect);
  const misses: string[] = [];
  const notMeasured = (name: string, limit: string, why: string): void => {
    misses.push(`expectation ${name} ${limit} not measured: ${why}`);
  };
  if (expect.maxLossPct !== undefined) {
    const limit = shown.max_loss!;
    if (!stats) notMeasured('max_loss', limit, 'the node reported no statistics');
    else if (!stats.rx_measured) notMeasured('max_loss', limit, 'no echoes came back (no reflector answered), so loss is unknown');
    else {
      const lossPct = stats.loss_ratio * 100;
      if (lossPct > expect.maxLossPct + SLACK_PCT) misses.push(`expectation max_loss ${limit} missed: loss ${beyond(lossPct, expect.maxLossPct)}%`);
    }
  }
  if (expect.maxRttP99Us !== undefined) {
    const limit = shown.max_rtt_p99!;
    if (!stats) notMeasured('max_rtt_p99', limit, 'the node reported no statistics');
    else if (!stats.rtt_us || stats.rtt_us.samples === 0) notMeasured('max_rtt_p99', limit, stats.rtt_note || 'the node reported no RTT');
    else if (stats.rtt_us.p99 > expect.maxRttP99Us) {
      misses.push(`expectation max_rtt_p99 ${limit} missed: RTT p99 ${beyond(stats.rtt_us.p99, expect.maxRttP99Us)}us`);
    }
  }
  if (expect.minRatePct !== undefined) {
    const limit = shown.min_rate!;
    // The rate the node was asked for (a node's --max-rate may have capped it), else the job's own.
    const requested = stats && stats.requested_mbps > 0 ? stats.requested_mbps : requestedMbps(data);
    // tx_mbps: frame bytes over the whole measured window; a node before it has only the mean of intervals.
    const achieved = stats ? (stats.tx_mbps > 0 ? stats.tx_mbps : stats.tx_mbps_mean) : 0;
    if (!stats || (achieved === 0 && stats.tx_packets > 0)) notMeasured('min_rate', limit, 'the node reported no send rate');
    else {
      const pct = (achieved / requested) * 100;
      if (pct < expect.minRatePct - SLACK_PCT) {
        misses.push(`expectation min_rate ${limit} missed: sent ${below(achieved, (requested * expect.minRatePct) / 100)} Mbit/s, ${below(pct, expect.minRatePct)}% of the requested ${round(requested)} Mbit/s`);
      }
    }
  }
  return misses.join('; ');
}

/**
 * Percentage points a figure may pass its limit by and still meet it: floating-point noise only
 * (7 packets lost of 1000 is 0.7000000000000001 %, which meets "0.7%").
 */
const SLACK_PCT = 1e-9;

/** 3 significant digits, and no fewer than it takes to show a value still above `limit`. */
const beyond = (value: number, limit: number): string => shownApart(value, (shown) => shown > limit);
/** 3 significant digits, and no fewer than it takes to show a value still below `limit`. */
const below = (value: number, limit: number): string => shownApart(value, (shown) => shown < limit);

function shownApart(value: number, apart: (shown: number) => boolean): string {
  for (let digits = 3; digits < 15; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (apart(Number(text))) return text;
  }
  return String(value);
}

const round = (mbps: number): string => String(Number(mbps.toPrecision(4)));
