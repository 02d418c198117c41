import assert from 'node:assert/strict';
import { fuzz } from './fuzz.js';
import { TARGETS } from './targets/index.js';
import type { TargetResult } from './run-target.js';

/** The short run of `npm run fuzz` in every test run: the same targets, 20,000 inputs in all, a new seed each time. */
const CI_INPUTS = 20_000;

describe('fuzz: every decoder and loader (short run of npm run fuzz)', function () {
  // A bound for the whole run, far above its usual 10-30 s; each input is bounded by the worker's watchdog.
  this.timeout(600_000);
  const seed = (Math.random() * 2 ** 31) | 0;
  let results: TargetResult[] = [];

  before(async () => {
    results = await fuzz({ inputs: CI_INPUTS, seed });
  });

  it(`runs ${CI_INPUTS.toLocaleString('en-US')} inputs over every target`, () => {
    assert.deepEqual(results.map((r) => r.name), TARGETS.map((t) => t.name));
    assert.ok(results.reduce((sum, r) => sum + r.inputs, 0) >= CI_INPUTS);
  });

  for (const target of TARGETS) {
    it(`${target.name}: no failure`, () => {
      const result = results.find((r) => r.name === target.name);
      assert.ok(result, `${target.name} did not run`);
      const f = result.failure;
      assert.equal(result.failures, 0, f && `${f.error}\ninput: ${f.input}\nreplay: npm run fuzz -- --target ${target.name} --seed=${f.seed}${f.path ? ` --path ${f.path}` : ''}`);
    });
  }
});
