import assert from 'node:assert/strict';
import { checkWireJob, legacyRateRefusal, parseJob, validateJobData, validateStoredJobData } from '../../src/input/job.js';
import { formatBps, formatJobRate, parseRateBps, requestedMbps } from '../../src/input/rate.js';
import type { JobData } from '../../src/protocol/messages.js';

const BASE = { t: 1, s_min: 64 };

/** The rate fields a job's data becomes: what the node is sent. */
const rateOf = (data: JobData): Pick<JobData, 'm' | 'rate_bps' | 'pps'> => {
  const { m, rate_bps, pps } = data;
  return { m, ...(rate_bps === undefined ? {} : { rate_bps }), ...(pps === undefined ? {} : { pps }) };
};

describe('rate units in the one job schema', () => {
  // Found by npm run fuzz: JSON's -0 read as m = -0, a rate the wire carries as 0, so the job and
  // what the node runs differed. -0 is 0 wherever the schema reads an integer.
  it('reads a JSON -0 as 0 (m, w), not as -0', () => {
    const data = validateJobData(JSON.parse('{"m": -0, "t": 1, "w": -0, "s_min": 64}'), 'jobs.json');
    assert.ok(Object.is(data.m, 0) && Object.is(data.w, 0), JSON.stringify([Object.is(data.m, -0), Object.is(data.w, -0)]));
  });

  // [what the user wrote, what the node is sent]
  const forms: Array<[Record<string, unknown>, Pick<JobData, 'm' | 'rate_bps' | 'pps'>]> = [
    [{ m: 10 }, { m: 10 }],
    [{ m: 0 }, { m: 0 }],
    [{ rate: 0 }, { m: 0 }],
    [{ rate: 10 }, { m: 10 }],
    [{ rate: '10' }, { m: 10 }],
    [{ rate: '10M' }, { m: 10 }],
    [{ rate: '10G' }, { m: 10_000 }],
    [{ rate: '2.5M' }, { m: 0, rate_bps: 2_500_000 }],
    [{ rate: 1.5 }, { m: 0, rate_bps: 1_500_000 }],
    [{ rate: '500k' }, { m: 0, rate_bps: 500_000 }],
    [{ rate: '500K' }, { m: 0, rate_bps: 500_000 }],
    [{ rate: '2.3M' }, { m: 0, rate_bps: 2_300_000 }], // 2.3 * 1e6 is not exact in floating point
    [{ rate: '0.001' }, { m: 0, rate_bps: 1000 }],
    [{ rate: ' 64 kbps ' }, { m: 0, rate_bps: 64_000 }],
    [{ rate: '1.000000000G' }, { m: 1000 }],
    [{ pps: 100_000 }, { m: 0, pps: 100_000 }],
  ];
  for (const [input, sent] of forms) {
    it(`${JSON.stringify(input)} is sent as ${JSON.stringify(sent)}`, () => {
      const data = validateJobData({ ...BASE, ...input }, 'jobs.json: $.jobs[0]');
      assert.deepEqual(rateOf(data), sent);
      // What the store keeps and what the node receives read back as the same job.
      assert.deepEqual(validateStoredJobData(JSON.parse(JSON.stringify(data))), data);
      const wire = { t: 1, w: 0, n: 0, s_min: 64, s_max: 0, r: false, l: false, rate_bps: 0, pps: 0, ...sent };
      assert.deepEqual(rateOf(checkWireJob(wire, {})), sent);
    });
  }

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['no rate', {}, 'j: m is missing: expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)'],
    ['m and rate', { m: 10, rate: '2.5M' }, 'j: rate = "2.5M": expected one rate only: "m" is given too (give one of "m", "rate" or "pps")'],
    ['rate and pps', { rate: '1M', pps: 10 }, 'j: pps = 10: expected one rate only: "rate" is given too (give one of "m", "rate" or "pps")'],
    ['m = 0 and pps', { m: 0, pps: 10 }, 'j: pps = 10: expected one rate only: "m" is given too (give one of "m", "rate" or "pps")'],
    ['a fraction of a bit/s', { rate: '0.0000001' }, 'j: rate = "0.0000001": expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
    ['pps of jumbo frames over 100 Gbit/s', { pps: 2_000_000, s_min: 64, s_max: 9000 }, 'j: pps = 2000000: expected at most 1388888 frames/s of 9000 bytes (100000 Mbit/s)'],
  ];
  for (const [name, input, message] of refusals) {
    it(`refuses ${name}`, () => assert.throws(() => validateJobData({ ...BASE, ...input }, 'j'), { message, code: 'ERR_INPUT' }));
  }

  describe("a node's --max-rate holds for every form", () => {
    const limits = { maxRateMbps: 10 };
    const wire = (fields: Partial<JobData>) => ({ m: 0, t: 1, w: 0, n: 0, s_min: 64, s_max: 0, r: false, l: false, rate_bps: 0, pps: 0, ...fields });
    it('takes 9.5 Mbit/s and 10 Mbit/s of 1500-byte frames as pps', () => {
      assert.equal(checkWireJob(wire({ rate_bps: 9_500_000 }), limits).rate_bps, 9_500_000);
      assert.equal(checkWireJob(wire({ pps: 833, s_min: 1500 }), limits).pps, 833);
    });
    it('refuses rate_bps above the cap', () => {
      assert.throws(() => checkWireJob(wire({ rate_bps: 10_000_001 }), limits), { message: "rate_bps = 10000001: expected an integer rate 1..10000000 bit/s, this node's --max-rate" });
    });
    it('refuses a packet rate whose largest frames go above the cap, though its mean frame would not', () => {
      // 1000 frames/s of 64..1500 bytes: 6.3 Mbit/s on average, 12 Mbit/s at 1500 bytes.
      assert.throws(() => checkWireJob(wire({ pps: 1000, s_min: 64, s_max: 1500 }), limits), {
        message: "pps = 1000: expected at most 833 frames/s of 1500 bytes (10 Mbit/s, this node's --max-rate)",
      });
    });
  });

  describe('legacy nodes', () => {
    it('refuses a rate that is not a whole Mbit/s, naming the node and the value', () => {
      const job = { nodes: ['m0', 'old1'], data: { ...BASE, rate: '1.5M' } };
      assert.throws(() => parseJob(job, 'jobs.json: $.jobs[2]', { legacy: new Set(['old1']) }), {
        message: 'jobs.json: $.jobs[2]: node old1: rate = "1.5 Mbit/s": expected a whole Mbit/s ("m"), the only rate a legacy node takes',
        code: 'ERR_INPUT',
      });
      assert.throws(() => parseJob({ nodes: ['old1'], data: { ...BASE, pps: 1000 } }, 'submit', { legacy: new Set(['old1']) }), {
        message: 'submit: node old1: pps = 1000: expected a whole Mbit/s ("m"), the only rate a legacy node takes',
      });
    });
    it('takes a whole Mbit/s in any form, sent as the legacy m', () => {
      const spec = parseJob({ nodes: ['old1'], data: { ...BASE, rate: '2G' } }, 'submit', { legacy: new Set(['old1']) });
      assert.deepEqual(rateOf(spec.data), { m: 2000 });
      assert.equal(legacyRateRefusal(spec.data, 'old1'), undefined);
    });
  });

  it('parses rate text exactly and shows rates readably', () => {
    assert.equal(parseRateBps('2.5M'), 2_500_000);
    assert.equal(parseRateBps('1e6'), undefined);
    assert.equal(parseRateBps(-1), undefined);
    assert.equal(formatBps(500_000), '500 kbit/s');
    assert.equal(formatBps(2_500_000), '2.5 Mbit/s');
    assert.equal(formatBps(10_000_000_000), '10 Gbit/s');
    assert.equal(formatJobRate({ m: 0, rate_bps: 1_500_000 }), '1.5 Mbit/s');
    assert.equal(formatJobRate({ m: 0, pps: 100_000 }), '100000 pps');
    assert.equal(formatJobRate({ m: 100 }), '100 Mbit/s');
    assert.equal(formatJobRate({ m: 0 }), 'as fast as possible');
  });
});

describe('rate units with expectations', () => {
  it('takes min_rate for a job whose rate is a rate_bps or pps, and refuses it for m = 0', () => {
    for (const rate of [{ rate: '500k' }, { pps: 1000 }]) {
      const spec = parseJob({ nodes: ['m0'], data: { ...BASE, ...rate }, expect: { min_rate: '99%' } }, 'j');
      assert.equal(spec.expect?.minRatePct, 99);
    }
    assert.throws(() => parseJob({ nodes: ['m0'], data: { ...BASE, rate: 0 }, expect: { min_rate: '99%' } }, 'j'), /expect\.min_rate = "99%": expected a requested rate/);
    assert.equal(requestedMbps({ m: 0, pps: 1000, s_min: 64, s_max: 1500 }), 1000 * 782 * 8 / 1e6);
    assert.equal(requestedMbps({ m: 0, rate_bps: 500_000, s_min: 64, s_max: 0 }), 0.5);
  });
});
