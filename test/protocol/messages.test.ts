import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { decodeJob, decodeStatus, encodeJob, encodeStatus, type Stats } from '../../src/protocol/messages.js';
import { DecodeError } from '../../src/protocol/index.js';
import { encodeFrame } from '../../src/transport/framing.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const legacyJob = { m: 20, t: 30, w: 5, n: 15, s_min: 200, s_max: 800, r: true, l: true };
const legacyJobHex = '0814101e1805200f28c80130a00638014001';

describe('protocol: legacy bytes (PROTOCOL.md examples)', () => {
  it('encodes the example Job exactly', () => {
    assert.equal(hex(encodeFrame(encodeJob(legacyJob))), '00000012' + legacyJobHex);
  });

  const statuses: Array<[string, 'SUCCESS' | 'STARTED' | 'FAIL']> = [
    ['000000020801', 'SUCCESS'],
    ['000000020803', 'STARTED'],
    ['00000000', 'FAIL'],
  ];
  for (const [bytes, type] of statuses) {
    it(`encodes Status{${type}} as ${bytes}`, () => {
      assert.equal(hex(encodeFrame(encodeStatus({ type }))), bytes);
    });
  }

  it('decodes both FAIL encodings', () => {
    assert.equal(decodeStatus(new Uint8Array()).type, 'FAIL');
    assert.equal(decodeStatus(Uint8Array.from([0x08, 0x00])).type, 'FAIL');
  });

  it('decodes the example Job with the extensions empty', () => {
    const job = decodeJob(Buffer.from(legacyJobHex, 'hex'));
    assert.deepEqual(job, { ...legacyJob, id: '', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0 });
  });
});

describe('protocol: extensions', () => {
  it('round-trips a job with id, target and reply address', () => {
    const job = { ...legacyJob, l: false, id: 'j-1', target: '127.0.0.1:9000', reply_to: '127.0.0.1:1800', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0 };
    assert.deepEqual(decodeJob(encodeJob(job)), job);
  });

  it('reads a job that still carries field 20 (the `run` of an earlier build, now reserved): the field is skipped', () => {
    const job = { ...legacyJob, l: false, id: 'j-1.2', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0 };
    const withRun = Buffer.concat([encodeJob(job), Buffer.from([0xa0, 0x01, 0x02])]); // field 20, varint 2
    assert.deepEqual(decodeJob(withRun), job);
  });

  it('carries rate_bps (field 21, uint64) and pps (field 22) as numbers; unset, they add no bytes', () => {
    const job = { ...legacyJob, m: 0, l: false, id: 'j-2', target: '', reply_to: '', cancel: false, rate_bps: 12_500_000_001, pps: 0, threads: 0, interval_ms: 0 };
    assert.deepEqual(decodeJob(encodeJob(job)), job);
    assert.ok(hex(encodeJob({ rate_bps: 500_000 })).startsWith('a801'), 'field 21, varint');
    assert.ok(hex(encodeJob({ pps: 100 })).startsWith('b001'), 'field 22, varint');
    assert.equal(hex(encodeJob({ ...legacyJob, rate_bps: 0, pps: 0 })), legacyJobHex);
  });

  it('carries threads (Job field 26, Stats field 27); unset, no bytes, and a legacy job reads as 0 (one thread)', () => {
    const job = { ...legacyJob, l: false, id: 'j-3', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 4, interval_ms: 0 };
    assert.deepEqual(decodeJob(encodeJob(job)), job);
    assert.ok(hex(encodeJob({ threads: 2 })).startsWith('d00102'), 'field 26, varint');
    assert.equal(hex(encodeJob({ ...legacyJob, threads: 0 })), legacyJobHex);
    assert.equal(decodeJob(Buffer.from(legacyJobHex, 'hex')).threads, 0);
    const status = decodeStatus(encodeStatus({ type: 'SUCCESS', job_id: 'j-3', stats: { tx_packets: 1, threads: 4 } as Partial<Stats> as Stats }));
    assert.equal(status.stats?.threads, 4);
  });

  it('carries interval_ms (field 23) and a SUCCESS\'s intervals (Stats field 24); without them, a status decodes with no intervals', () => {
    assert.ok(hex(encodeJob({ interval_ms: 500 })).startsWith('b801'), 'field 23, varint');
    assert.equal(decodeJob(encodeJob({ ...legacyJob, interval_ms: 500 })).interval_ms, 500);
    const interval = {
      index: 3, start_ms: 1_790_000_000_123.5, duration_s: 1, tx_packets: 2500, tx_bytes: 500_000, rx_packets: 2490, rx_bytes: 498_000,
      tx_mbps: 4, tx_mpps: 0.0025, loss_ratio: 0.004, rtt_p50_us: 30.5, rtt_p99_us: 1200.25, rtt_samples: 2490,
    };
    const bytes = encodeStatus({ type: 'SUCCESS', job_id: 'j-1', stats: { tx_packets: 2500, intervals: [interval] } as never });
    assert.ok(hex(bytes).includes('c201'), 'Stats field 24, length-delimited');
    assert.deepEqual(decodeStatus(bytes).stats?.intervals, [interval]);
    assert.equal(decodeStatus(encodeStatus({ type: 'SUCCESS', stats: { tx_packets: 1 } as never })).stats?.intervals, undefined);
  });

  it('carries a size mix (field 25, SizeWeight) and per-size counts (Stats field 26, SizeCount); unset, they add no bytes and read as absent', () => {
    const sizes = [{ size: 64, weight: 7 }, { size: 594, weight: 4 }, { size: 1518, weight: 1 }];
    const job = { ...legacyJob, s_min: 64, s_max: 1518, id: 'j-3', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0, sizes };
    assert.deepEqual(decodeJob(encodeJob(job)), job);
    assert.ok(hex(encodeJob({ sizes: [{ size: 64, weight: 7 }] })).startsWith('ca0104084010' + '07'), 'field 25, length-delimited: size 1, weight 2');
    assert.equal(hex(encodeJob({ ...legacyJob, sizes: [] })), legacyJobHex);
    assert.equal('sizes' in decodeJob(encodeJob(legacyJob)), false);
    const tx_sizes = [{ size: 64, packets: 7000 }, { size: 1518, packets: 5_000_000_000 }];
    const status = decodeStatus(encodeStatus({ type: 'SUCCESS', job_id: 'j-3', stats: { tx_packets: 5_000_007_000, tx_sizes } as never }));
    assert.deepEqual(status.stats?.tx_sizes, tx_sizes);
    assert.equal('tx_sizes' in decodeStatus(encodeStatus({ type: 'SUCCESS', job_id: 'j', stats: { tx_packets: 1 } as never })).stats!, false);
  });

  it('keeps the legacy prefix of an extended job readable', () => {
    const bytes = encodeJob({ ...legacyJob, id: 'x' });
    assert.ok(hex(bytes).startsWith(legacyJobHex));
  });

  it('round-trips a SUCCESS with statistics and RTT', () => {
    const stats = {
      tx_packets: 1000, tx_bytes: 500_000, rx_packets: 990, rx_bytes: 495_000, loss_ratio: 0.01,
      tx_mbps_mean: 2, tx_mbps_std: 0.1, tx_mpps_mean: 0.0005, tx_mpps_std: 0, tx_wire_mbps_mean: 2.08,
      rx_mbps_mean: 1.98, rx_mpps_mean: 0.000495, requested_mbps: 2, rx_measured: true, duration_s: 2,
      mode: 'udp', stalls: 0, duplicates: 0, reordered: 1, tx_mbps: 2, fallback: 'raw mode needs CAP_NET_RAW', rtt_note: '', threads: 1,
      rtt_us: { min: 3, p25: 4, p50: 5, p75: 6, p90: 7, p95: 8, p99: 9, p999: 10, max: 11, mean: 5.5, std: 1, samples: 990 },
    };
    const status = decodeStatus(encodeStatus({ type: 'SUCCESS', job_id: 'j-1', node: 'm0', stats }));
    assert.equal(status.type, 'SUCCESS');
    assert.equal(status.job_id, 'j-1');
    assert.equal(status.node, 'm0');
    assert.deepEqual(status.stats, stats);
  });

  it('carries a FAIL reason', () => {
    const status = decodeStatus(encodeStatus({ type: 'FAIL', job_id: 'j', reason: 'target 10.0.0.1:9 not allowed' }));
    assert.equal(status.reason, 'target 10.0.0.1:9 not allowed');
    assert.equal(status.stats, undefined);
  });

  it('rejects bytes that are not a message', () => {
    assert.throws(() => decodeJob(Buffer.from('ffffffffff', 'hex')), DecodeError);
    assert.throws(() => decodeStatus(Uint8Array.from([0x08, 0x07])), /unknown status type 7/);
  });

  // Found by npm run fuzz (control-envelope, session-frame): 2^64 - 1 decoded as 2^64, which
  // encodes as 0, so a decoded message did not survive being sent on.
  it('refuses a 64-bit counter beyond 2^53 - 1 and keeps one at it', () => {
    const stats = (varint: string) => Buffer.from(`0801${'9a01'}${(varint.length / 2 + 1).toString(16).padStart(2, '0')}08${varint}`, 'hex');
    assert.throws(() => decodeStatus(stats('ffffffffffffffffff01')), (error: unknown) =>
      error instanceof DecodeError && /cannot decode Status: 64-bit value 18446744073709552000 is beyond 2\^53 - 1/.test(error.message));
    assert.throws(() => decodeStatus(stats('8080808080808010')), DecodeError); // 2^53
    assert.equal(decodeStatus(stats('ffffffffffffff0f')).stats?.tx_packets, Number.MAX_SAFE_INTEGER);
  });

  it('ships a descriptor generated from proto/ (npm run gen:proto)', () => {
    execFileSync(process.execPath, ['scripts/gen-proto.mjs', '--check'], { stdio: 'pipe' });
  });
});
