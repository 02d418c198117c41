import assert from 'node:assert/strict';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/control-messages.js';
import { DecodeError } from '../../src/protocol/errors.js';

// Found by npm run fuzz (control-request, control-response): an enum number with no name (noise,
// or a newer peer's value) threw a TypeError from toLowerCase() instead of a DecodeError.
describe('protocol: control messages with unknown enum values', () => {
  const decodeError = (pattern: RegExp) => (error: unknown) => error instanceof DecodeError && error.code === 'ERR_DECODE' && pattern.test(error.message);

  it('refuses a request whose states hold a number no job state has', () => {
    // ControlRequest.states (field 11, varint) = 7
    assert.throws(() => decodeRequest(Uint8Array.from([0x58, 0x07])), decodeError(/ControlRequest: unknown job state 7/));
  });

  it('refuses a response with an unknown node health or job state', () => {
    // nodes (field 3) { health (field 13) = 9 }; jobs (field 4) { state (field 14) = 9 }
    assert.throws(() => decodeResponse(Uint8Array.from([0x1a, 0x02, 0x68, 0x09])), decodeError(/ControlResponse: unknown node health 9/));
    assert.throws(() => decodeResponse(Uint8Array.from([0x22, 0x02, 0x70, 0x09])), decodeError(/ControlResponse: unknown job state 9/));
  });

  it('still reads every known state by name', () => {
    const request = decodeRequest(encodeRequest({ query: true, states: ['pending', 'cancelled'] }));
    assert.deepEqual(request.states, ['pending', 'cancelled']);
  });
});

describe('protocol: a running job\'s live intervals (JobInfo field 18)', () => {
  const job = {
    id: 'j1', node: 'm0', state: 'running' as const, priority: 0, data: { m: 1, t: 5, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false }, target: '',
    reason: '', attempts: 1, created_at: 1, started_at: 2, finished_at: 0, seq: 1, sent_at: 1,
  };
  const interval = {
    index: 2, start_ms: 1_790_000_002_000, duration_s: 1, tx_packets: 1953, tx_bytes: 125_000, rx_packets: 1950, rx_bytes: 124_800,
    tx_mbps: 1, tx_mpps: 0.001953, loss_ratio: 0.0015, rtt_p50_us: 25, rtt_p99_us: 300, rtt_samples: 1950,
  };

  it('round-trip; a job without them decodes with none, and a job\'s data keeps a non-default interval_ms', () => {
    const [withIntervals, without] = decodeResponse(encodeResponse({ jobs: [{ ...job, intervals: [interval] }, { ...job, id: 'j2', data: { ...job.data, interval_ms: 500 } }] })).jobs;
    assert.deepEqual(withIntervals!.intervals, [interval]);
    assert.equal('intervals' in without!, false);
    assert.equal(without!.data.interval_ms, 500);
    assert.equal('interval_ms' in withIntervals!.data, false);
  });
});
