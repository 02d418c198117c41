import assert from 'node:assert/strict';
import { checkWireJob, JOB_LIMITS, legacyIntervalRefusal, parseJob, validateJobData, validateStoredJobData } from '../../src/input/job.js';
import type { JobData } from '../../src/protocol/messages.js';

const BASE = { m: 1, t: 10, s_min: 64 };
const WHERE = 'jobs.json: $.jobs[0]';

/** The error message validateJobData throws for `data`, or '' when it accepts it. */
function refusal(data: Record<string, unknown>): string {
  try {
    validateJobData({ ...BASE, ...data }, WHERE);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the result interval in the one job schema', () => {
  // [what the user wrote, the interval_ms the node is sent (undefined: the default, not sent)]
  const forms: Array<[Record<string, unknown>, number | undefined]> = [
    [{}, undefined],
    [{ interval: null }, undefined],
    [{ interval: '1s' }, undefined],
    [{ interval: '1000ms' }, undefined],
    [{ interval: '500ms' }, 500],
    [{ interval: ' 2s ' }, 2000],
    [{ interval: '100ms' }, 100],
    [{ interval: '60s' }, 60_000],
    [{ interval_ms: 250 }, 250],
  ];
  for (const [input, sent] of forms) {
    it(`${JSON.stringify(input)} is sent as interval_ms ${sent ?? '(not set)'}`, () => {
      const data = validateJobData({ ...BASE, ...input }, WHERE);
      assert.equal(data.interval_ms, sent);
      assert.equal('interval_ms' in data, sent !== undefined, 'the default stays off the wire');
      // What the store keeps and what the node receives read back as the same job.
      assert.deepEqual(validateStoredJobData(JSON.parse(JSON.stringify(data))), data);
      const wire = { t: 10, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false, m: 1, rate_bps: 0, pps: 0, interval_ms: sent ?? 0 };
      assert.deepEqual(checkWireJob(wire as JobData, {}), data);
    });
  }

  const bad: Array<[Record<string, unknown>, string]> = [
    [{ interval: '50ms' }, `${WHERE}: interval = "50ms": expected an interval 100ms..60s: a whole number and a unit, ms, s, m, h or d (e.g. 500ms, 2s)`],
    [{ interval: '61s' }, `${WHERE}: interval = "61s": expected an interval 100ms..60s: a whole number and a unit, ms, s, m, h or d (e.g. 500ms, 2s)`],
    [{ interval: '1.5s' }, `${WHERE}: interval = "1.5s": expected an interval 100ms..60s: a whole number and a unit, ms, s, m, h or d (e.g. 500ms, 2s)`],
    [{ interval: 500 }, `${WHERE}: interval = 500: expected an interval 100ms..60s: a whole number and a unit, ms, s, m, h or d (e.g. 500ms, 2s)`],
    [{ interval: '2m' }, `${WHERE}: interval = "2m": expected an interval 100ms..60s: a whole number and a unit, ms, s, m, h or d (e.g. 500ms, 2s)`],
    [{ interval_ms: 99 }, `${WHERE}: interval_ms = 99: expected an integer 100..60000 ms`],
    [{ interval_ms: '500' }, `${WHERE}: interval_ms = "500": expected an integer 100..60000 ms`],
    [{ interval: '1s', interval_ms: 1000 }, `${WHERE}: interval_ms = 1000: expected one interval only: "interval" is given too`],
    // 3600 intervals at most: 3601 s at 1 s would be one too many.
    [{ t: 3600, interval: '100ms' }, `${WHERE}: interval = "100ms": expected at most 3600 intervals of the 3600 s measured: an interval of 1000ms or more`],
    [{ t: 400, interval: '100ms' }, `${WHERE}: interval = "100ms": expected at most 3600 intervals of the 400 s measured: an interval of 112ms or more`],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)}, naming the field and what is expected`, () => assert.equal(refusal(input), message));
  }

  it('interval_ms 0 is the wire\'s "not set" (the default) in stored and received jobs, and refused in a jobs file', () => {
    assert.equal('interval_ms' in validateStoredJobData({ ...BASE, n: 1, w: 0, s_max: 0, r: false, l: false, interval_ms: 0 }), false);
    assert.equal(refusal({ interval_ms: 0 }), `${WHERE}: interval_ms = 0: expected an integer 100..60000 ms`);
  });

  it('the default interval fits every allowed t, and the limits agree with each other', () => {
    assert.equal(refusal({ t: JOB_LIMITS.maxDurationS }), '');
    assert.ok(JOB_LIMITS.maxDurationS * 1000 / JOB_LIMITS.defaultIntervalMs <= JOB_LIMITS.maxIntervals);
    assert.equal(refusal({ t: 360, interval: '100ms' }), '');
  });

  it('a non-default interval is refused for a legacy node, naming it, at submission; the default is not', () => {
    const legacy = new Set(['old1']);
    const job = (data: Record<string, unknown>) => ({ nodes: ['old1'], data: { ...BASE, ...data } });
    assert.throws(() => parseJob(job({ interval: '500ms' }), 'submit', { legacy }),
      { message: 'submit: node old1: interval_ms = 500: expected the default interval (1000 ms): a legacy node reports no intervals' });
    assert.equal(parseJob(job({ interval: '1s' }), 'submit', { legacy }).data.interval_ms, undefined);
    assert.equal(legacyIntervalRefusal(validateJobData({ ...BASE }, ''), 'old1'), undefined);
  });
});
