import assert from 'node:assert/strict';
import { jobToSpec, JobRejectedError } from '../../src/agent/validate.js';
import { buildEmitterArgs } from '../../src/emitter/spec.js';
import { DEFAULT_NODE_LIMITS, MAX_RUN_S, type NodeLimits } from '../../src/input/job.js';
import type { Job } from '../../src/protocol/messages.js';

const wire: Job = { m: 10, t: 2, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false, id: 'j', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0 };
const target = { host: '127.0.0.1', port: 9 };

function refusal(fields: Partial<Job>, limits: NodeLimits): string {
  try {
    jobToSpec({ ...wire, ...fields }, target, limits, 1);
  } catch (error) {
    assert.ok(error instanceof JobRejectedError, String(error));
    return error.message;
  }
  return 'ran';
}

describe('agent: a node\'s own limits (--max-rate, --max-duration, --max-flows)', () => {
  const cases: Array<[string, Partial<Job>, NodeLimits, string]> = [
    ['m above --max-rate names the flag', { m: 11 }, { maxRateMbps: 10 }, 'm = 11: expected an integer rate 0..10 Mbit/s, this node\'s --max-rate (0 = as fast as allowed: 10 Mbit/s)'],
    ['m at --max-rate runs', { m: 10 }, { maxRateMbps: 10 }, 'ran'],
    ['m = 0 under --max-rate runs (paced at the cap)', { m: 0 }, { maxRateMbps: 10 }, 'ran'],
    ['without a cap, the agreed range', { m: 100_001 }, DEFAULT_NODE_LIMITS, 'm = 100001: expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)'],
    ['n above --max-flows names the flag', { n: 9 }, { maxFlows: 8 }, 'n = 9: expected an integer flow count 0..8, this node\'s --max-flows (0 = 1 flow)'],
    ['n at --max-flows runs', { n: 8 }, { maxFlows: 8 }, 'ran'],
    ['t above --max-duration names the flag', { t: 61 }, { maxDurationS: 60 }, 't = 61: expected an integer duration 1..60 s, this node\'s --max-duration'],
    ['w + t above --max-duration: the warm-up is traffic too', { w: 30, t: 31 }, { maxDurationS: 60 }, 'w + t = 61: expected at most 60 s of warm-up and measured time, this node\'s --max-duration'],
    ['w + t at --max-duration runs', { w: 30, t: 30 }, { maxDurationS: 60 }, 'ran'],
    ['the default --max-duration takes the longest agreed job', { w: 3600, t: 3600 }, { maxDurationS: MAX_RUN_S }, 'ran'],
    ['the default --max-duration keeps the agreed words', { t: 3601 }, { maxDurationS: MAX_RUN_S }, 't = 3601: expected an integer duration 1..3600 s'],
    ['rate_bps under --max-rate runs', { m: 0, rate_bps: 9_500_000 }, { maxRateMbps: 10 }, 'ran'],
    ['rate_bps above --max-rate names the flag', { m: 0, rate_bps: 10_500_000 }, { maxRateMbps: 10 }, 'rate_bps = 10500000: expected an integer rate 1..10000000 bit/s, this node\'s --max-rate'],
    ['pps counted at the largest frame against --max-rate', { m: 0, pps: 1000, s_min: 64, s_max: 1500 }, { maxRateMbps: 10 }, 'pps = 1000: expected at most 833 frames/s of 1500 bytes (10 Mbit/s, this node\'s --max-rate)'],
    ['m and rate_bps both set is no job', { m: 1, rate_bps: 1_500_000 }, DEFAULT_NODE_LIMITS, 'rate_bps = 1500000: expected one rate only: "m" is given too (give one of "m", "rate" or "pps")'],
  ];
  for (const [what, fields, limits, expected] of cases) {
    it(what, () => assert.equal(refusal(fields, limits), expected));
  }

  it('hands a fractional rate to the helper in Mbit/s, and a packet rate as --pps', () => {
    const half = jobToSpec({ ...wire, m: 0, rate_bps: 500_000 }, target, { maxRateMbps: 10 }, 1);
    assert.deepEqual(buildEmitterArgs(half).slice(3, 7), ['--rate', '0.5', '--max-rate', '10']);
    const pps = jobToSpec({ ...wire, m: 0, pps: 10_000 }, target, DEFAULT_NODE_LIMITS, 1);
    assert.deepEqual(buildEmitterArgs(pps).slice(3, 5), ['--pps', '10000']);
    assert.ok(!buildEmitterArgs(pps).includes('--rate'));
  });

  it('hands a size mix to the helper as --sizes, and a legacy range or one size as --size', () => {
    const sizes = [{ size: 64, weight: 7 }, { size: 594, weight: 4 }, { size: 1518, weight: 1 }];
    const imix = buildEmitterArgs(jobToSpec({ ...wire, s_min: 64, s_max: 1518, sizes }, target, DEFAULT_NODE_LIMITS, 1));
    assert.deepEqual(imix.slice(imix.indexOf('--sizes'), imix.indexOf('--sizes') + 2), ['--sizes', '64:7,594:4,1518:1']);
    assert.ok(!imix.includes('--size'));
    const range = buildEmitterArgs(jobToSpec({ ...wire, s_min: 64, s_max: 1518, sizes: [] }, target, DEFAULT_NODE_LIMITS, 1));
    assert.deepEqual(range.slice(range.indexOf('--size'), range.indexOf('--size') + 2), ['--size', '64-1518']);
    assert.ok(!range.includes('--sizes'));
    // The node's own check: a bad mix from any peer is refused, naming it.
    assert.equal(refusal({ s_min: 64, s_max: 1518, sizes: [{ size: 64, weight: 0 }, { size: 1518, weight: 1 }] }, DEFAULT_NODE_LIMITS),
      'sizes = [{"size":64,"weight":0},{"size":1518,...: expected an integer weight 1..10000 for each size (64:0 is not)');
  });

  it('hands the cap to the helper, which paces m = 0 at it; no cap, no --max-rate', () => {
    const capped = jobToSpec({ ...wire, m: 0 }, target, { maxRateMbps: 10 }, 1);
    assert.deepEqual(buildEmitterArgs(capped).slice(3, 7), ['--rate', '0', '--max-rate', '10']);
    const free = jobToSpec({ ...wire, m: 0 }, target, DEFAULT_NODE_LIMITS, 1);
    assert.equal(free.maxRateMbps, undefined);
    assert.ok(!buildEmitterArgs(free).includes('--max-rate'));
  });
});
