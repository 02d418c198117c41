import assert from 'node:assert/strict';
import { IntervalRecorder, PROGRESS_INTERVALS } from '../../src/agent/intervals.js';
import type { IntervalEvent } from '../../src/emitter/output.js';

/** A helper interval line ending at t seconds. */
const line = (phase: 'warmup' | 'measure', t: number, tx: number, rx: number, rtt?: [number, number, number]): IntervalEvent => ({
  event: 'interval', phase, t, tx_packets: tx, tx_bytes: tx * 100, tx_mbps: (tx * 800) / 1e6, tx_mpps: tx / 1e6, rx_packets: rx, rx_bytes: rx * 100, stalls: 0,
  ...(rtt ? { rtt_p50_us: rtt[0], rtt_p99_us: rtt[1], rtt_samples: rtt[2] } : {}),
});

describe('IntervalRecorder: the measured intervals of a run from the helper\'s lines', () => {
  const START = 1_790_000_000_000;

  it('skips the warm-up, numbers the measured intervals from 0, dates each from the helper\'s start, and takes the last short one', () => {
    const recorder = new IntervalRecorder(START);
    assert.equal(recorder.add(line('warmup', 1, 100, 100)), undefined);
    assert.equal(recorder.add(line('measure', 2, 100, 98, [20, 90, 98]))?.index, 0);
    recorder.add(line('measure', 3, 100, 103));
    recorder.add(line('measure', 3.25, 25, 25));
    const intervals = recorder.result(true);
    assert.deepEqual(intervals.map((i) => [i.index, i.start_ms, i.duration_s, i.tx_packets]), [[0, START + 1000, 1, 100], [1, START + 2000, 1, 100], [2, START + 3000, 0.25, 25]]);
    assert.deepEqual([intervals[0]!.rtt_p50_us, intervals[0]!.rtt_p99_us, intervals[0]!.rtt_samples], [20, 90, 98]);
    assert.equal(intervals[1]!.rtt_samples, 0, 'no RTT in the line: none measured');
    // Live: echoes that arrived in the interval; one with more echoes than packets shows no loss, never a negative one.
    assert.equal(intervals[0]!.loss_ratio, 0.02);
    assert.equal(intervals[1]!.loss_ratio, 0);
  });

  it('the closing interval_echoes lines replace the live rx with the echoes by send time, so loss is exact', () => {
    const recorder = new IntervalRecorder(START);
    recorder.add(line('measure', 1, 200, 150));
    recorder.add(line('measure', 2, 200, 250));
    recorder.add({ event: 'interval_echoes', index: 0, rx_packets: 190, rx_bytes: 19_000 });
    recorder.add({ event: 'interval_echoes', index: 1, rx_packets: 200, rx_bytes: 20_000 });
    recorder.add({ event: 'interval_echoes', index: 2, rx_packets: 0, rx_bytes: 0 }); // an empty last one the helper opened: ignored
    const intervals = recorder.result(true);
    assert.equal(intervals.length, 2);
    assert.deepEqual(intervals.map((i) => [i.rx_packets, i.rx_bytes, i.loss_ratio]), [[190, 19_000, 0.05], [200, 20_000, 0]]);
  });

  it('without measured echoes the result carries no rx figures', () => {
    const recorder = new IntervalRecorder(START);
    recorder.add(line('measure', 1, 200, 3));
    assert.deepEqual(recorder.result(false).map((i) => [i.rx_packets, i.rx_bytes, i.loss_ratio]), [[0, 0, 0]]);
  });

  it('recent() gives copies of the newest few, for a PROGRESS', () => {
    const recorder = new IntervalRecorder(START);
    for (let t = 1; t <= PROGRESS_INTERVALS + 5; t++) recorder.add(line('measure', t, 10, 10));
    const recent = recorder.recent();
    assert.deepEqual(recent.map((i) => i.index), Array.from({ length: PROGRESS_INTERVALS }, (_, i) => i + 5));
    recent[0]!.tx_packets = -1;
    assert.equal(recorder.result(true)[5]!.tx_packets, 10);
  });
});
