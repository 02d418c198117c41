import assert from 'node:assert/strict';
import { LIVE_INTERVALS, LiveProgress } from '../../src/scheduler/live-progress.js';
import type { Interval, Stats } from '../../src/protocol/messages.js';

const interval = (index: number, tx = 10): Interval => ({
  index, start_ms: 1000 * index, duration_s: 1, tx_packets: tx, tx_bytes: tx * 64, rx_packets: 0, rx_bytes: 0,
  tx_mbps: 1, tx_mpps: 0.1, loss_ratio: 0, rtt_p50_us: 0, rtt_p99_us: 0, rtt_samples: 0,
});
const progress = (mbps: number, intervals: Interval[]): Stats => ({ tx_mbps: mbps, intervals } as unknown as Stats);

describe('LiveProgress: a running job\'s newest intervals, merged by index', () => {
  it('merges overlapping reports without repeating an interval, and a later report of an index replaces it', () => {
    const live = new LiveProgress();
    live.update(2, progress(5, [interval(0), interval(1)]));
    live.update(3, progress(6, [interval(1, 11), interval(2)]));
    assert.deepEqual(live.intervals().map((i) => [i.index, i.tx_packets]), [[0, 10], [1, 11], [2, 10]]);
    assert.deepEqual([live.elapsedS, live.mbps], [3, 6]);
  });

  it('a report that was coalesced away loses nothing when the next carries its intervals too', () => {
    const live = new LiveProgress();
    live.update(1, progress(1, [interval(0)]));
    // The reports with intervals 1 and 2 never arrived; the next one carries the newest few.
    live.update(4, progress(1, [interval(1), interval(2), interval(3)]));
    assert.deepEqual(live.intervals().map((i) => i.index), [0, 1, 2, 3]);
  });

  it(`keeps only the newest ${LIVE_INTERVALS}, in index order`, () => {
    const live = new LiveProgress();
    for (let i = LIVE_INTERVALS + 9; i >= 0; i--) live.update(i, progress(1, [interval(i)]));
    assert.deepEqual(live.intervals().map((i) => i.index), Array.from({ length: LIVE_INTERVALS }, (_, i) => i + 10));
  });

  it('a PROGRESS without intervals (an older node) only updates the rate', () => {
    const live = new LiveProgress();
    live.update(1, { tx_mbps: 3 } as unknown as Stats);
    assert.deepEqual([live.mbps, live.intervals()], [3, []]);
  });
});
