import assert from 'node:assert/strict';
import { checkWireJob, legacyRefusal, parseJob, validateJobData, validateStoredJobData } from '../../src/input/job.js';
import { requestedMbps } from '../../src/input/rate.js';
import { formatJobSizes, formatSizeCounts, meanFrameBytes, parseSizeText } from '../../src/input/sizes.js';
import { sizeFields } from '../../src/control/submit.js';
import type { JobData } from '../../src/protocol/messages.js';

const BASE = { m: 10, t: 1 };
const IMIX = [{ size: 64, weight: 7 }, { size: 594, weight: 4 }, { size: 1518, weight: 1 }];

/** The size fields a job's data becomes: what the node is sent. */
const sizesOf = (data: JobData): Pick<JobData, 's_min' | 's_max' | 'sizes'> => {
  const { s_min, s_max, sizes } = data;
  return { s_min, s_max, ...(sizes === undefined ? {} : { sizes }) };
};

describe('frame sizes in the one job schema', () => {
  // [what the user wrote, what the node is sent]
  const forms: Array<[Record<string, unknown>, Pick<JobData, 's_min' | 's_max' | 'sizes'>]> = [
    [{ s_min: 64 }, { s_min: 64, s_max: 0 }],
    [{ s_min: 64, s_max: 1518 }, { s_min: 64, s_max: 1518 }],
    [{ size: 500 }, { s_min: 500, s_max: 0 }],
    [{ size: '500' }, { s_min: 500, s_max: 0 }],
    [{ size: '64-1518' }, { s_min: 64, s_max: 1518 }],
    [{ size: '200-200' }, { s_min: 200, s_max: 0 }],
    [{ size: 'imix' }, { s_min: 64, s_max: 1518, sizes: IMIX }],
    [{ size: ' IMIX ' }, { s_min: 64, s_max: 1518, sizes: IMIX }],
    [{ size: '64:7,594:4,1518:1' }, { s_min: 64, s_max: 1518, sizes: IMIX }],
    [{ size: '1518:1, 64:7' }, { s_min: 64, s_max: 1518, sizes: [{ size: 1518, weight: 1 }, { size: 64, weight: 7 }] }],
    [{ size: '100,200' }, { s_min: 100, s_max: 200, sizes: [{ size: 100, weight: 1 }, { size: 200, weight: 1 }] }],
    // One size is no mix: any node, legacy too, can send it.
    [{ size: '594:4' }, { s_min: 594, s_max: 0 }],
    [{ sizes: IMIX }, { s_min: 64, s_max: 1518, sizes: IMIX }],
  ];
  for (const [input, sent] of forms) {
    it(`${JSON.stringify(input)} is sent as ${JSON.stringify(sent)}`, () => {
      const data = validateJobData({ ...BASE, ...input }, 'jobs.json: $.jobs[0]');
      assert.deepEqual(sizesOf(data), sent);
      // What the store keeps and what the node receives read back as the same job.
      assert.deepEqual(validateStoredJobData(JSON.parse(JSON.stringify(data))), data);
      const wire = { m: 10, t: 1, w: 0, n: 0, r: false, l: false, rate_bps: 0, pps: 0, sizes: [], ...sent };
      assert.deepEqual(sizesOf(checkWireJob(wire, {})), sent);
    });
  }

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['no size', {}, 'j: s_min is missing: expected an integer frame size 64..9000'],
    ['size and s_min', { s_min: 64, size: 'imix' }, 'j: size = "imix": expected one size only: "s_min" is given too (give "size", or "s_min" and "s_max")'],
    ['size and s_max', { s_max: 100, size: 'imix' }, 'j: size = "imix": expected one size only: "s_max" is given too (give "size", or "s_min" and "s_max")'],
    ['size and sizes', { size: 'imix', sizes: IMIX }, 'j: sizes = [{"size":64,"weight":7},{"size":594,"...: expected one size only: "size" is given too (give "size", or "s_min" and "s_max")'],
    ['a word', { size: 'big' }, 'j: size = "big": expected a frame size 64..9000 ("64"), a range ("64-1518"), "imix" or a weighted mix ("64:7,594:4,1518:1")'],
    ['an empty weight', { size: '64:' }, 'j: size = "64:": expected a frame size 64..9000 ("64"), a range ("64-1518"), "imix" or a weighted mix ("64:7,594:4,1518:1")'],
    ['a range backwards', { size: '1518-64' }, 'j: size = "1518-64": expected frame sizes 64..9000, MIN before MAX: a frame size 64..9000 ("64"), a range ("64-1518"), "imix" or a weighted mix ("64:7,594:4,1518:1")'],
    ['a size too small', { size: 63 }, 'j: size = 63: expected frame sizes 64..9000, MIN before MAX: a frame size 64..9000 ("64"), a range ("64-1518"), "imix" or a weighted mix ("64:7,594:4,1518:1")'],
    ['a size out of range in a mix', { size: '64:7,9001:1' }, 'j: size = "64:7,9001:1": expected frame sizes 64..9000 in a mix (9001 is not)'],
    ['a zero weight', { size: '64:0,1518:1' }, 'j: size = "64:0,1518:1": expected an integer weight 1..10000 for each size (64:0 is not)'],
    ['a size twice', { size: '64:1,64:2' }, 'j: size = "64:1,64:2": expected each frame size once in a mix (64 is given twice)'],
    ['too much weight', { size: '64:5000,65:5001' }, 'j: size = "64:5000,65:5001": expected weights adding up to at most 10000 (these add up to 10001)'],
    ['17 sizes', { size: Array.from({ length: 17 }, (_, i) => 64 + i).join(',') }, 'j: size = "64,65,66,67,68,69,70,71,72,73,74,75,7...": expected at most 16 frame sizes in a mix (17 given)'],
    ['a bad wire weight', { sizes: [{ size: 64, weight: 1 }, { size: 128, weight: 'x' }] }, 'j: sizes = [{"size":64,"weight":1},{"size":128,"...: expected an integer weight 1..10000 for each size (128:"x" is not)'],
    ['an empty list', { sizes: [] }, 'j: sizes = []: expected a list of {"size": BYTES, "weight": N}'],
  ];
  for (const [name, input, message] of refusals) {
    it(`refuses ${name}`, () => assert.throws(() => validateJobData({ ...BASE, ...input }, 'j'), { message, code: 'ERR_INPUT' }));
  }

  it('counts a packet rate at the weighted mean frame, and caps it at the largest frame', () => {
    const data = validateJobData({ pps: 1000, t: 1, size: 'imix' }, 'j');
    const mean = (7 * 64 + 4 * 594 + 1518) / 12;
    assert.equal(meanFrameBytes(data), mean);
    assert.equal(requestedMbps(data), (1000 * mean * 8) / 1e6);
    assert.throws(() => checkWireJob(data, { maxRateMbps: 10 }),
      { message: 'pps = 1000: expected at most 823 frames/s of 1518 bytes (10 Mbit/s, this node\'s --max-rate)' });
  });

  it('refuses a mix for a legacy node, naming it; one size or a range is fine', () => {
    assert.throws(() => parseJob({ nodes: ['old1'], data: { ...BASE, size: 'imix' } }, 'jobs.json: $.jobs[2]', { legacy: new Set(['old1']) }), {
      message: 'jobs.json: $.jobs[2]: node old1: size = "64:7,594:4,1518:1": expected one size or a range ("s_min"/"s_max"), the only sizes a legacy node takes',
    });
    for (const size of ['594:4', '64-1518', 64]) {
      const spec = parseJob({ nodes: ['old1'], data: { ...BASE, size } }, 'j', { legacy: new Set(['old1']) });
      assert.equal(legacyRefusal(spec.data, 'old1'), undefined);
    }
  });

  it('reads and shows sizes as people write them', () => {
    assert.equal(parseSizeText('64:'), undefined);
    assert.equal(parseSizeText('64:7:1'), undefined);
    assert.deepEqual(parseSizeText('64 - 1518'), { range: [64, 1518] });
    assert.equal(formatJobSizes({ s_min: 64, s_max: 0 }), '64');
    assert.equal(formatJobSizes({ s_min: 64, s_max: 1518 }), '64-1518');
    assert.equal(formatJobSizes({ s_min: 64, s_max: 1518, sizes: IMIX }), '64:7,594:4,1518:1');
    assert.equal(formatSizeCounts([{ size: 64, packets: 7000 }, { size: 1518, packets: 1000 }]), '64:7000,1518:1000');
  });

  it('submit --size: a range as s_min/s_max, a mix as "size"', () => {
    assert.deepEqual(sizeFields('imix'), { size: 'imix' });
    assert.deepEqual(sizeFields('64:7,594:4,1518:1'), { size: '64:7,594:4,1518:1' });
    assert.deepEqual(sizeFields('64,1518'), { size: '64,1518' });
    assert.deepEqual(sizeFields('64-1518'), { s_min: 64, s_max: 1518 });
  });
});
