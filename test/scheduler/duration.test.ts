import assert from 'node:assert/strict';
import { parseDurationMs } from '../../src/scheduler/duration.js';

describe('parseDurationMs', () => {
  const good: Array<[string, number]> = [['90s', 90_000], ['30m', 1_800_000], ['2h', 7_200_000], ['7d', 604_800_000], ['0s', 0], [' 1d ', 86_400_000]];
  for (const [text, ms] of good) {
    it(`reads "${text}" as ${ms} ms`, () => assert.equal(parseDurationMs(text, '--keep-for'), ms));
  }

  for (const text of ['90', '1.5h', '-2h', '2w', 'h', '', '2 h', '99999999999999999d']) {
    it(`refuses "${text}", naming the flag and what it expects`, () => {
      assert.throws(() => parseDurationMs(text, '--keep-for'), {
        code: 'ERR_USAGE', exitCode: 2,
        message: `--keep-for "${text}": expected a whole number and a unit, s, m, h or d (90s, 30m, 2h, 7d)`,
      });
    });
  }
});
