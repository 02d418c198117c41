import assert from 'node:assert/strict';
import { judgeTrial, resolutionBps, searchOfJob, searchProgress, trialJobId, type Trial } from '../../src/scheduler/search.js';
import { parseSearch, type SearchSpec } from '../../src/input/search.js';
import type { Stats } from '../../src/protocol/messages.js';

const M = 1_000_000;
const spec = (extra: Record<string, unknown> = {}): SearchSpec =>
  parseSearch({ node: 'm0', target: 'm1', sizes: [64, 1518], trial: '2s', max_rate: '100M', resolution: '1%', ...extra }, 'test');

/** A result of `rateBps` sent with `lost` of 10,000 packets lost. */
function stats(rateBps: number, lost: number, extra: Partial<Stats> = {}): Stats {
  return {
    tx_packets: 10_000, tx_bytes: 0, rx_packets: 10_000 - lost, rx_bytes: 0, loss_ratio: lost / 10_000,
    tx_mbps_mean: rateBps / M, tx_mbps_std: 0, tx_mpps_mean: 0, tx_mpps_std: 0, tx_wire_mbps_mean: 0, rx_mbps_mean: 0, rx_mpps_mean: 0,
    requested_mbps: rateBps / M, rx_measured: true, duration_s: 2, mode: 'udp', stalls: 0, duplicates: 0, reordered: 0, tx_mbps: rateBps / M,
    fallback: '', rtt_note: '', threads: 1, ...extra,
  };
}

/**
 * Runs a whole search against a path that loses packets above `limitBps` (of `size`), as the runner
 * would: each next trial judged from a result the path gives. Returns the trials.
 */
function simulate(s: SearchSpec, limitBps: (size: number) => number, sentShare = 1): Trial[] {
  const trials: Trial[] = [];
  for (let i = 0; i < 200; i++) {
    const { next } = searchProgress(s, trials);
    if (!next) return trials;
    const sent = next.rateBps === 0 ? 300 * M : next.rateBps * sentShare;
    const lost = sent > limitBps(next.size) ? Math.ceil(((sent - limitBps(next.size)) / sent) * 10_000) : 0;
    trials.push(judgeTrial(s, next.size, next.rateBps, trialJobId('s000000000000', i), { state: 'succeeded', reason: '', stats: stats(sent, lost) }));
  }
  throw new Error('the search did not end within 200 trials');
}

describe('throughput search (RFC 2544 26.1): the pure search', () => {
  it('starts each size at max_rate, the first size first', () => {
    assert.deepEqual(searchProgress(spec(), []).next, { size: 64, rateBps: 100 * M });
  });

  it('finds a limit within the resolution for every size, trying sizes in order, each trial halving the bounds', () => {
    const s = spec();
    const limits: Record<number, number> = { 64: 53.3 * M, 1518: 50.1 * M };
    const trials = simulate(s, (size) => limits[size]!);
    const { sizes, next } = searchProgress(s, trials);
    assert.equal(next, undefined);
    for (const size of sizes) {
      assert.equal(size.state, 'done');
      const found = size.resultBps!;
      assert.ok(found <= limits[size.size]! && limits[size.size]! - found <= resolutionBps(s, 100 * M), `${size.size}: found ${found}, limit ${limits[size.size]}`);
      // log2(100 / 1) rounds up to 7 halvings, plus the trial at max_rate.
      assert.ok(size.trials.length <= 8, `${size.trials.length} trials`);
    }
    assert.deepEqual(trials.map((t) => t.size), [...sizes[0]!.trials.map(() => 64), ...sizes[1]!.trials.map(() => 1518)]);
  });

  it('shows the bounds of a size being searched', () => {
    const s = spec();
    const t = (rateBps: number, verdict: Trial['verdict']): Trial => ({ size: 64, rateBps, verdict, jobId: 'j', reason: '' });
    const { sizes, next } = searchProgress(s, [t(100 * M, 'loss'), t(50 * M, 'pass')]);
    assert.deepEqual({ state: sizes[0]!.state, lo: sizes[0]!.loBps, hi: sizes[0]!.hiBps }, { state: 'searching', lo: 50 * M, hi: 100 * M });
    assert.equal(sizes[1]!.state, 'waiting');
    assert.deepEqual(next, { size: 64, rateBps: 75 * M });
  });

  it('ends a size at once when max_rate passes, saying the path may take more', () => {
    const s = spec({ sizes: [512] });
    const { sizes, next } = searchProgress(s, [{ size: 512, rateBps: 100 * M, verdict: 'pass', jobId: 'j', reason: '' }]);
    assert.equal(next, undefined);
    assert.equal(sizes[0]!.resultBps, 100 * M);
    assert.match(sizes[0]!.reason, /no loss at max_rate/);
  });

  it('reports 0 when no rate met the loss limit', () => {
    const s = spec({ sizes: [64] });
    const trials = simulate(s, () => 0);
    const size = searchProgress(s, trials).sizes[0]!;
    assert.equal(size.state, 'done');
    assert.equal(size.resultBps, 0);
    assert.match(size.reason, /no rate tried met the loss limit of 0%/);
  });

  it('without max_rate, probes each size as fast as the node sends and searches below what it sent', () => {
    const s = spec({ max_rate: undefined, sizes: [64] });
    assert.deepEqual(searchProgress(s, []).next, { size: 64, rateBps: 0 });
    const trials = simulate(s, () => 40 * M);
    assert.equal(trials[0]!.rateBps, 0);
    assert.equal(trials[1]!.rateBps, 150 * M, 'halfway below the 300 Mbit/s the probe sent');
    const found = searchProgress(s, trials).sizes[0]!.resultBps!;
    assert.ok(found <= 40 * M && 40 * M - found <= 3 * M, `found ${found}`);
  });

  it('gives a size up when a trial fails (not as loss) and goes on with the next size', () => {
    const s = spec();
    const failed = judgeTrial(s, 64, 100 * M, 'sx', { state: 'lost', reason: 'no final status within w + t + 30 s' });
    assert.equal(failed.verdict, 'failed');
    const { sizes, next } = searchProgress(s, [failed]);
    assert.equal(sizes[0]!.state, 'aborted');
    assert.equal(sizes[0]!.reason, 'trial at 100 Mbit/s failed: job sx lost: no final status within w + t + 30 s');
    assert.deepEqual(next, { size: 1518, rateBps: 100 * M });
  });

  it('judges trials: loss against the limit, a rate not offered, loss not measured', () => {
    const s = spec({ max_loss: '0.1%' });
    const judge = (st: Stats | undefined) => judgeTrial(s, 64, 50 * M, 'sx', { state: 'succeeded', reason: '', stats: st });
    assert.equal(judge(stats(50 * M, 10)).verdict, 'pass', '0.1% lost meets 0.1%');
    assert.equal(judge(stats(50 * M, 11)).verdict, 'loss');
    assert.equal(judge(stats(47.5 * M, 0)).verdict, 'pass', '95% of the rate counts as offered');
    const short = judge(stats(47 * M, 0));
    assert.equal(short.verdict, 'short');
    assert.match(short.reason, /sent 47 Mbit\/s, under 95% of the rate asked for/);
    assert.equal(judge(stats(47 * M, 500)).verdict, 'loss', 'loss beyond the limit is the verdict, sent in full or not');
    const unmeasured = judge(stats(50 * M, 0, { rx_measured: false }));
    assert.equal(unmeasured.verdict, 'failed');
    assert.match(unmeasured.reason, /no echoes came back/);
    assert.equal(judgeTrial(s, 64, 50 * M, 'sx', { state: 'failed', reason: 'emitter exited 1' }).reason, 'job sx failed: emitter exited 1');
  });

  it('replays the same trials to the same state: a restart resumes exactly', () => {
    const s = spec();
    const trials = simulate(s, () => 33 * M);
    for (let cut = 0; cut <= trials.length; cut++) {
      assert.deepEqual(searchProgress(s, trials.slice(0, cut)), searchProgress(s, structuredClone(trials.slice(0, cut))));
      const next = searchProgress(s, trials.slice(0, cut)).next;
      if (cut < trials.length) assert.deepEqual(next, { size: trials[cut]!.size, rateBps: trials[cut]!.rateBps });
    }
  });

  it('stops a search with an absolute resolution', () => {
    const s = spec({ resolution: '5M', sizes: [64] });
    const trials = simulate(s, () => 61 * M);
    const size = searchProgress(s, trials).sizes[0]!;
    assert.ok(size.hiBps! - size.loBps <= 5 * M && size.resultBps! <= 61 * M);
  });

  it('names the search of a trial job, and of no other job', () => {
    assert.equal(searchOfJob(trialJobId('s0123456789ab', 12)), 's0123456789ab');
    assert.equal(searchOfJob('j0123456789ab'), undefined);
  });
});
