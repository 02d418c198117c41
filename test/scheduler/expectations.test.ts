import assert from 'node:assert/strict';
import { missedExpectations } from '../../src/scheduler/expectations.js';
import type { Expectations } from '../../src/input/job.js';
import type { Rtt, Stats } from '../../src/protocol/messages.js';

const rtt = (p99: number, samples = 1000): Rtt => ({ min: 10, p25: 20, p50: 30, p75: 40, p90: 50, p95: 60, p99, p999: p99, max: p99, mean: 30, std: 5, samples });

/** A result of a 10 Mbit/s job: 1000 packets sent, `rx` echoed (0 = nothing echoed: not measured). */
function stats(rx: number, extra: Partial<Stats> = {}): Stats {
  return {
    tx_packets: 1000, tx_bytes: 125_000, rx_packets: rx, rx_bytes: rx * 125, loss_ratio: rx === 0 ? 0 : (1000 - rx) / 1000,
    tx_mbps_mean: 10, tx_mbps_std: 0, tx_mpps_mean: 0.01, tx_mpps_std: 0, tx_wire_mbps_mean: 11.6, rx_mbps_mean: 0, rx_mpps_mean: 0,
    requested_mbps: 10, rx_measured: rx > 0, duration_s: 1, mode: 'udp', stalls: 0, duplicates: 0, reordered: 0, tx_mbps: 10,
    fallback: '', rtt_note: '', threads: 1, ...extra,
  };
}

const data = { m: 10, s_min: 64, s_max: 0 };
const CASES: Array<[string, Expectations | undefined, Stats | undefined, string]> = [
  ['no expectations', undefined, stats(0), ''],
  // max_loss
  ['loss under the limit', { maxLossPct: 0.1 }, stats(1000), ''],
  ['loss exactly at the limit (boundary: passes)', { maxLossPct: 0.1 }, stats(999), ''],
  ['loss at the limit whose ratio is not exact in binary (7 of 1000 at 0.7%)', { maxLossPct: 0.7 }, stats(993), ''],
  ['loss just over the limit', { maxLossPct: 0.1 }, stats(998), 'expectation max_loss 0.1% missed: loss 0.2%'],
  ['loss 0% with one packet lost', { maxLossPct: 0 }, stats(999), 'expectation max_loss 0% missed: loss 0.1%'],
  ['loss 0% with none lost', { maxLossPct: 0 }, stats(1000), ''],
  ['loss shown with the digits that tell it from the limit', { maxLossPct: 5 }, stats(1000, { rx_packets: 949_99, loss_ratio: 0.050001 }), 'expectation max_loss 5% missed: loss 5.0001%'],
  ['loss not measured (no reflector answered)', { maxLossPct: 100 }, stats(0), 'expectation max_loss 100% not measured: no echoes came back (no reflector answered), so loss is unknown'],
  // max_rtt_p99
  ['RTT p99 under the limit', { maxRttP99Us: 500 }, stats(1000, { rtt_us: rtt(120) }), ''],
  ['RTT p99 at the limit (boundary: passes)', { maxRttP99Us: 500 }, stats(1000, { rtt_us: rtt(500) }), ''],
  ['RTT p99 over the limit', { maxRttP99Us: 500 }, stats(1000, { rtt_us: rtt(812.4) }), 'expectation max_rtt_p99 500us missed: RTT p99 812us'],
  ['RTT p99 a hair over the limit', { maxRttP99Us: 500 }, stats(1000, { rtt_us: rtt(500.02) }), 'expectation max_rtt_p99 500us missed: RTT p99 500.02us'],
  ['RTT not measured, the node says why', { maxRttP99Us: 500 }, stats(0, { rtt_note: 'no echo from a reflector at 127.0.0.1:9' }), 'expectation max_rtt_p99 500us not measured: no echo from a reflector at 127.0.0.1:9'],
  ['RTT not measured, no reason given', { maxRttP99Us: 500 }, stats(0), 'expectation max_rtt_p99 500us not measured: the node reported no RTT'],
  ['RTT with no samples is not measured', { maxRttP99Us: 500 }, stats(1000, { rtt_us: rtt(0, 0) }), 'expectation max_rtt_p99 500us not measured: the node reported no RTT'],
  // min_rate
  ['rate above the minimum', { minRatePct: 99 }, stats(0, { tx_mbps: 9.95 }), ''],
  ['rate exactly at the minimum (boundary: passes)', { minRatePct: 99 }, stats(0, { tx_mbps: 9.9 }), ''],
  ['rate below the minimum', { minRatePct: 99 }, stats(0, { tx_mbps: 9.52 }), 'expectation min_rate 99% missed: sent 9.52 Mbit/s, 95.2% of the requested 10 Mbit/s'],
  ['rate a hair below the minimum', { minRatePct: 99 }, stats(0, { tx_mbps: 9.8999 }), 'expectation min_rate 99% missed: sent 9.8999 Mbit/s, 98.999% of the requested 10 Mbit/s'],
  ['rate at a minimum not exact in binary (29% of 10 as 2.9)', { minRatePct: 29 }, stats(0, { tx_mbps: 2.9 }), ''],
  ['rate against what the node was asked for (its --max-rate cap)', { minRatePct: 99 }, stats(0, { requested_mbps: 5, tx_mbps: 5 }), ''],
  ['a node without tx_mbps: the mean of its intervals', { minRatePct: 99 }, stats(0, { tx_mbps: 0, tx_mbps_mean: 8 }), 'expectation min_rate 99% missed: sent 8 Mbit/s, 80% of the requested 10 Mbit/s'],
  ['rate not reported', { minRatePct: 99 }, stats(0, { tx_mbps: 0, tx_mbps_mean: 0 }), 'expectation min_rate 99% not measured: the node reported no send rate'],
  // several, and no statistics at all
  ['every expectation missed: each named, in order', { maxLossPct: 1, maxRttP99Us: 100, minRatePct: 99 }, stats(900, { rtt_us: rtt(250), tx_mbps: 5 }),
    'expectation max_loss 1% missed: loss 10%; expectation max_rtt_p99 100us missed: RTT p99 250us; expectation min_rate 99% missed: sent 5 Mbit/s, 50% of the requested 10 Mbit/s'],
  ['one met, one missed: only the missed one', { maxLossPct: 1, minRatePct: 99 }, stats(1000, { tx_mbps: 5 }), 'expectation min_rate 99% missed: sent 5 Mbit/s, 50% of the requested 10 Mbit/s'],
  ['no statistics: nothing was measured', { maxLossPct: 1, maxRttP99Us: 100, minRatePct: 99 }, undefined,
    'expectation max_loss 1% not measured: the node reported no statistics; expectation max_rtt_p99 100us not measured: the node reported no statistics; expectation min_rate 99% not measured: the node reported no send rate'],
];

describe('expectations: what a result must meet', () => {
  it('min_rate of a 500k job, when the node reports no requested rate, is a share of 0.5 Mbit/s', () => {
    const half = { m: 0, rate_bps: 500_000, s_min: 64, s_max: 0 };
    const result = { ...stats(1000, { tx_mbps: 0.25 }), requested_mbps: 0 };
    assert.equal(missedExpectations({ minRatePct: 99 }, result, half), 'expectation min_rate 99% missed: sent 0.25 Mbit/s, 50% of the requested 0.5 Mbit/s');
  });

  for (const [name, expect, result, reason] of CASES) {
    it(`${name}: ${reason || 'met'}`, () => {
      assert.equal(missedExpectations(expect, result, data), reason);
    });
  }
});
