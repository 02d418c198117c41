import assert from 'node:assert/strict';
import { DURATION, PERCENT, RATE, RTT, expectedAmount, readAmount, roundedUnits, wholeUnits, type Quantity } from '../../src/input/units.js';
import { parseRateBps } from '../../src/input/rate.js';
import { parseDurationMs } from '../../src/input/duration.js';
import { parseExpectations } from '../../src/input/job.js';

const data = { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: true };
/** A value in base units, whole, or undefined when `text` is not one of the quantity's. */
const whole = (text: string, quantity: Quantity): bigint | undefined => {
  const amount = readAmount(text, quantity);
  return amount && wholeUnits(amount);
};

describe('units: one reading of a number and its unit', () => {
  describe('the rules every quantity shares', () => {
    const shared: Array<[string, Quantity, string, bigint | undefined]> = [
      ['spaces around the whole', RATE, ' \t2.5M \n', 2_500_000n],
      ['spaces around the whole', RTT, ' 500us ', 500_000n],
      ['spaces around the whole', PERCENT, ' 5 % ', 5n],
      ['spaces around the whole', DURATION, ' 1d ', 86_400_000n],
      ['a space between number and unit', RATE, '3 M', 3_000_000n],
      ['a space between number and unit', RTT, '1 ms', 1_000_000n],
      ['ASCII digits only', RATE, '٣M', undefined],
      ['no sign', RTT, '-1ms', undefined],
      ['no sign', RATE, '+1M', undefined],
      ['no exponent', RATE, '1e3k', undefined],
      ['digits on both sides of a point', RATE, '.5M', undefined],
      ['digits on both sides of a point', RTT, '5.ms', undefined],
      ['no thousands separators', RATE, '1,5M', undefined],
      ['a unit of the quantity only', RTT, '5min', undefined],
      ['a unit of the quantity only', DURATION, '2w', undefined],
      ['no object keys as units', PERCENT, '5constructor', undefined],
      ['no object keys as units', RATE, '5__proto__', undefined],
      ['a number', DURATION, 'h', undefined],
      ['something', PERCENT, '', undefined],
    ];
    for (const [rule, quantity, text, value] of shared) {
      it(`${rule}: ${JSON.stringify(text)} -> ${value ?? 'refused'}`, () => assert.equal(whole(text, quantity), value));
    }
  });

  describe('what each quantity declares', () => {
    const declared: Array<[string, Quantity, string, bigint | undefined]> = [
      ['rate: units in any case', RATE, '500K', 500_000n],
      ['rate: units in any case', RATE, '2.5mbit/s', 2_500_000n],
      ['rate: bit/s or bps after k, M or G', RATE, '7kbps', 7000n],
      ['rate: bit/s or bps after k, M or G', RATE, '10 Gbit/s', 10_000_000_000n],
      ['rate: bit/s or bps after k, M or G', RATE, '5 k bit/s', undefined],
      ['rate: "bps" alone is not a unit (a bare number is Mbit/s)', RATE, '64bps', undefined],
      ['rate: "bps" alone is not a unit (a bare number is Mbit/s)', RATE, '64 bit/s', undefined],
      ['rate: a number alone is Mbit/s', RATE, '1.5', 1_500_000n],
      ['rate: no T', RATE, '1T', undefined],
      ['duration: a unit is needed', DURATION, '90', undefined],
      ['duration: whole numbers', DURATION, '1.5h', undefined],
      ['duration: no space before the unit', DURATION, '2 h', undefined],
      ['duration: units in their case', DURATION, '2H', undefined],
      ['RTT: units in their case', RTT, '5MS', undefined],
      ['RTT: µs is us', RTT, '2µs', 2000n],
      ['percent: a % sign', PERCENT, '5', undefined],
    ];
    for (const [rule, quantity, text, value] of declared) {
      it(`${rule}: ${JSON.stringify(text)} -> ${value ?? 'refused'}`, () => assert.equal(whole(text, quantity), value));
    }
  });

  it('reads exactly: decimals never pass through a float', () => {
    assert.equal(whole('2.3M', RATE), 2_300_000n);
    assert.equal(whole('0.000001', RATE), 1n);
    assert.equal(whole('0.0000001', RATE), undefined, 'a tenth of a bit/s is no whole bit/s');
    assert.equal(whole('123456789.123456789G', RATE), 123_456_789_123_456_789n);
    const rtt = readAmount('0.3ms', RTT)!;
    assert.deepEqual([rtt.decimal, rtt.unit, wholeUnits(rtt)], ['0.3', 'ms', 300_000n]);
    assert.equal(roundedUnits(readAmount('0.0005us', RTT)!), 1n, 'half a nanosecond rounds up');
    assert.equal(roundedUnits(readAmount('0.0004us', RTT)!), 0n);
  });

  it('says what it expects in one wording for every quantity', () => {
    assert.equal(expectedAmount('a loss 0%..100%', PERCENT), 'a loss 0%..100%: a number and a unit, % (e.g. 0.1%)');
    assert.equal(expectedAmount('a duration', DURATION), 'a duration: a whole number and a unit, s, m, h or d (e.g. 90s, 30m, 2h, 7d)');
    assert.equal(expectedAmount('an RTT', RTT, 'latency on'), 'an RTT: a number and a unit, us, ms or s (e.g. 500us) (latency on)');
    assert.equal(expectedAmount('a rate', RATE), 'a rate: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G)');
  });

  it('is what every parser of a quantity uses: the same text means the same everywhere', () => {
    assert.equal(parseRateBps(' 3 M '), 3_000_000);
    assert.equal(parseRateBps('64bps'), undefined);
    assert.equal(parseDurationMs(' 90s ', '--keep-for'), 90_000);
    assert.deepEqual(parseExpectations({ max_loss: ' 0.5 % ', max_rtt_p99: ' 1 ms ', min_rate: '99%' }, 'j', data), { maxLossPct: 0.5, maxRttP99Us: 1000, minRatePct: 99 });
    for (const [key, text] of [['max_loss', '0.5'], ['max_rtt_p99', '1MS'], ['min_rate', '99 percent']] as const) {
      assert.throws(() => parseExpectations({ [key]: text }, 'j', data), { message: new RegExp(`^j: expect\\.${key} = "${text}": expected .*: a number and a unit, `) });
    }
  });
});
