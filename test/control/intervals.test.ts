import assert from 'node:assert/strict';
import { IntervalStream, intervalsCsv } from '../../src/control/intervals.js';
import type { Interval, Stats } from '../../src/protocol/messages.js';
import type { JobInfo, JobState } from '../../src/protocol/view.js';

const START = Date.UTC(2026, 10, 30, 11, 0, 0);
const interval = (index: number, rtt = 0): Interval => ({
  index, start_ms: START + 1000 * index, duration_s: 1, tx_packets: 100 + index, tx_bytes: 6400, rx_packets: 99, rx_bytes: 6336,
  tx_mbps: 0.0512, tx_mpps: 0.0001, loss_ratio: 0.01, rtt_p50_us: rtt, rtt_p99_us: rtt * 2, rtt_samples: rtt ? 99 : 0,
});
const range = (from: number, to: number): Interval[] => Array.from({ length: to - from }, (_, i) => interval(from + i));

function job(state: JobState, fields: { live?: Interval[]; result?: Interval[]; rxMeasured?: boolean; attempts?: number } = {}): JobInfo {
  const info = {
    id: 'j1', node: 'm0', state, priority: 0, data: { m: 1, t: 10, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: true }, target: '', reason: '',
    attempts: fields.attempts ?? 1, created_at: 0, started_at: 0, finished_at: 0, sent_at: 0, seq: 1,
  } as JobInfo;
  if (fields.live) info.intervals = fields.live;
  if (fields.result) info.stats = { tx_packets: 1, rx_measured: fields.rxMeasured ?? true, intervals: fields.result } as unknown as Stats;
  return info;
}

describe('IntervalStream: each interval of a waited-for job once, in order', () => {
  it('prints live intervals as they come, none twice, holds back past a gap, and fills it from the result', () => {
    const stream = new IntervalStream();
    const indexes = (jobs: JobInfo[]) => stream.take(jobs).map((line) => line.index);
    assert.deepEqual(indexes([job('sent')]), []);
    assert.deepEqual(indexes([job('running', { live: range(0, 2) })]), [0, 1]);
    assert.deepEqual(indexes([job('running', { live: range(0, 3) })]), [2]);
    // The scheduler never saw 3 (its reports were lost): 4 and 5 wait, so that nothing prints out of order.
    assert.deepEqual(indexes([job('running', { live: [interval(4), interval(5)] })]), []);
    assert.deepEqual(indexes([job('succeeded', { result: range(0, 7) })]), [3, 4, 5, 6]);
    assert.deepEqual(indexes([job('succeeded', { result: range(0, 7) })]), []);
  });

  it('a line names its job and node; the start is ISO 8601; unmeasured figures are null', () => {
    const [line] = new IntervalStream().take([job('succeeded', { result: [interval(0)], rxMeasured: false })]);
    assert.deepEqual(line, {
      event: 'interval', job: 'j1', node: 'm0', index: 0, start: '2026-11-30T11:00:00.000Z', duration_s: 1, tx_packets: 100, tx_bytes: 6400,
      tx_mbps: 0.0512, tx_mpps: 0.0001, rx_packets: null, rx_bytes: null, loss_ratio: null, rtt_us: null,
    });
  });

  it('a re-run (next attempt) starts again from index 0', () => {
    const stream = new IntervalStream();
    assert.equal(stream.take([job('running', { live: range(0, 3) })]).length, 3);
    assert.deepEqual(stream.take([job('running', { live: range(0, 2), attempts: 2 })]).map((line) => line.index), [0, 1]);
  });
});

describe('intervalsCsv', () => {
  it('one row per interval, a header first; figures that were not measured are empty cells', () => {
    const finished = job('succeeded', { result: [{ ...interval(0), rtt_p50_us: 12.5, rtt_p99_us: 80, rtt_samples: 99 }, interval(1)] });
    assert.equal(intervalsCsv([finished]), [
      'job,node,index,start,duration_s,tx_packets,tx_bytes,tx_mbps,tx_mpps,rx_packets,rx_bytes,loss_ratio,rtt_p50_us,rtt_p99_us,rtt_samples',
      'j1,m0,0,2026-11-30T11:00:00.000Z,1,100,6400,0.0512,0.0001,99,6336,0.01,12.5,80,99',
      'j1,m0,1,2026-11-30T11:00:01.000Z,1,101,6400,0.0512,0.0001,99,6336,0.01,,,',
    ].join('\n'));
    assert.equal(intervalsCsv([job('failed')]).split('\n').length, 1, 'a job without a result has no rows');
  });
});
