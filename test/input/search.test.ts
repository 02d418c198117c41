import assert from 'node:assert/strict';
import { parseSearch, searchJson } from '../../src/input/search.js';

const known = new Set(['m0', 'm1']);
const base = { kind: 'throughput', node: 'm0', target: 'm1', sizes: [64, 512, 1518], trial: '10s' };

describe('search input: the one search schema', () => {
  it('takes a search with defaults: no loss, 1% resolution, no warm-up, no max_rate', () => {
    assert.deepEqual(parseSearch(base, 'submit', { known }), {
      kind: 'throughput', node: 'm0', target: 'm1', sizes: [64, 512, 1518], trialS: 10, warmupS: 0, maxLossPct: 0, resolution: { pct: 1 },
    });
  });

  it('takes every field in its written forms, and round-trips through its written form', () => {
    const spec = parseSearch({ ...base, trial: 5, warmup: '1s', max_loss: '0.5%', resolution: '500k', max_rate: '1G' }, 'submit', { known });
    assert.deepEqual({ ...spec }, { ...spec, trialS: 5, warmupS: 1, maxLossPct: 0.5, resolution: { bps: 500_000 }, maxRateBps: 1e9 });
    assert.deepEqual(parseSearch(searchJson(spec), 'stored'), spec);
    const odd = parseSearch({ ...base, resolution: '1234.567k', max_rate: '99999.999k' }, 'submit', { known });
    assert.deepEqual(parseSearch(searchJson(odd), 'stored'), odd, 'rates in whole bits/s survive their written form');
  });

  const CASES: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown kind', { kind: 'latency' }, /^submit: kind = "latency": expected a search kind: throughput$/],
    ['an unknown node', { node: 'm9' }, /^submit: node = "m9": unknown node \(known: "m0", "m1"\)$/],
    ['no target', { target: undefined }, /^submit: target is missing: expected a node name \(its reflector\) or HOST:PORT that echoes the traffic/],
    ['no sizes', { sizes: [] }, /^submit: sizes = \[\]: expected a list of 1\.\.16 different frame sizes 64\.\.9000/],
    ['a size too small', { sizes: [63] }, /^submit: sizes = \[63\]: expected/],
    ['a size twice', { sizes: [64, 64] }, /^submit: sizes = \[64,64\]: expected a list of 1\.\.16 different/],
    ['no trial time', { trial: undefined }, /^submit: trial is missing: expected whole seconds 1\.\.3600/],
    ['a trial time of 0', { trial: '0s' }, /^submit: trial = "0s": expected whole seconds 1\.\.3600/],
    ['a bad loss limit', { max_loss: '5' }, /^submit: expect\.max_loss = "5": expected a loss 0%\.\.100%: a number and a unit, %/],
    ['a resolution of 100%', { resolution: '100%' }, /^submit: resolution = "100%": expected a share of the highest rate searched above 0% and below 100%/],
    ['a resolution above max_rate', { resolution: '2G', max_rate: '1G' }, /^submit: resolution = "2G": expected less than max_rate \(1 Gbit\/s\)/],
    ['a max_rate of 0', { max_rate: '0' }, /^submit: max_rate = "0": expected a rate above 0 and up to 100000 Mbit\/s/],
    ['an unknown field', { rate: '1G' }, /^submit: rate = "1G": expected only kind, node, target, sizes/],
  ];
  for (const [what, change, message] of CASES) {
    it(`refuses ${what}, naming the field, the value and what is expected`, () => {
      assert.throws(() => parseSearch({ ...base, ...change }, 'submit', { known }), (error: Error & { code?: string }) => {
        assert.match(error.message, message);
        assert.equal(error.code, 'ERR_INPUT');
        return true;
      });
    });
  }

  it('refuses a legacy node as the sender, naming it', () => {
    assert.throws(() => parseSearch(base, 'submit', { known, legacy: new Set(['m0']) }), /^Error|submit: node m0: expected a pktgen node: a search steps its rate in bit\/s/);
  });
});
