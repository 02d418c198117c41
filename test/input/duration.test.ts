import assert from 'node:assert/strict';
import { formatDuration, parseDurationMs } from '../../src/input/duration.js';

describe('parseDurationMs', () => {
  const good: Array<[string, number]> = [['90s', 90_000], ['30m', 1_800_000], ['2h', 7_200_000], ['7d', 604_800_000], ['0s', 0], [' 1d ', 86_400_000]];
  for (const [text, ms] of good) {
    it(`reads "${text}" as ${ms} ms`, () => assert.equal(parseDurationMs(text, '--keep-for'), ms));
  }

  for (const text of ['90', '1.5h', '-2h', '2w', 'h', '', '2 h', '99999999999999999d']) {
    it(`refuses "${text}", naming the flag and what it expects`, () => {
      assert.throws(() => parseDurationMs(text, '--keep-for'), {
        code: 'ERR_USAGE', exitCode: 2,
        message: `--keep-for "${text}": expected a duration: a whole number and a unit, s, m, h or d (e.g. 90s, 30m, 2h, 7d)`,
      });
    });
  }

  it('refuses 0 where a positive duration is needed (a wait bound), and takes 1s', () => {
    assert.throws(() => parseDurationMs('0m', '--timeout', { positive: true }), {
      code: 'ERR_USAGE', message: '--timeout "0m": expected a duration above 0: a whole number and a unit, s, m, h or d (e.g. 90s, 30m, 2h, 7d)',
    });
    assert.equal(parseDurationMs('1s', '--timeout', { positive: true }), 1000);
  });

  it('reads a number alone as seconds where a flag took seconds before (--status-retry), and says so when refusing', () => {
    assert.equal(parseDurationMs('60', '--status-retry', { bareSeconds: true }), 60_000);
    assert.equal(parseDurationMs('1h', '--status-retry', { bareSeconds: true }), 3_600_000);
    assert.throws(() => parseDurationMs('1.5', '--status-retry', { bareSeconds: true }), {
      code: 'ERR_USAGE', message: '--status-retry "1.5": expected a duration: a whole number and a unit, s, m, h or d, or a whole number alone for seconds (e.g. 90s, 30m, 2h, 7d)',
    });
  });
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [[0, '0 s'], [44_600, '45 s'], [60_000, '1 min'], [725_000, '12 min 5 s'], [3_600_000, '1 h'],
    [10_920_000, '3 h 2 min'], [86_400_000, '1 d'], [187_200_000, '2 d 4 h'], [-5, '0 s']];
  for (const [ms, text] of cases) it(`${ms} ms -> ${text}`, () => assert.equal(formatDuration(ms), text));
});
