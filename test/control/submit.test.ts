import assert from 'node:assert/strict';
import { jobFromFlags, parseAddNode, parseSize, progressLine, type JobFlags } from '../../src/control/submit.js';
import { UserError } from '../../src/errors.js';
import type { JobInfo } from '../../src/scheduler/snapshot.js';

const flags = (patch: Partial<JobFlags> = {}): JobFlags => ({
  node: ['m0'], 'all-nodes': false, rate: 10, duration: 1, warmup: 0, flows: 1, size: '500',
  'random-payload': false, latency: false, priority: 0, retries: 0, ...patch,
});

describe('submit: flags into a job', () => {
  const sizes: Array<[string, { s_min: number; s_max: number } | RegExp]> = [
    ['64', { s_min: 64, s_max: 0 }],
    ['64-1500', { s_min: 64, s_max: 1500 }],
    ['500-500', { s_min: 500, s_max: 0 }],
    ['900-800', /--size 900-800: MIN must not exceed MAX/],
    ['big', /--size big: expected MIN or MIN-MAX/],
  ];
  for (const [text, expected] of sizes) {
    it(`--size ${text}`, () => {
      if (expected instanceof RegExp) assert.throws(() => parseSize(text), expected);
      else assert.deepEqual(parseSize(text), expected);
    });
  }

  it('builds the job data with readable flag names', () => {
    const job = jobFromFlags(flags({ rate: 20, duration: 30, warmup: 5, flows: 15, size: '200-800', 'random-payload': true, latency: true, priority: 3, target: 'm1' }));
    assert.deepEqual(job.data, { m: 20, t: 30, w: 5, n: 15, s_min: 200, s_max: 800, r: true, l: true });
    assert.deepEqual([job.nodes, job.priority, job.target], [['m0'], 3, 'm1']);
  });

  const missing: Array<[string, Partial<JobFlags>, RegExp]> = [
    ['no node', { node: undefined }, /--node NAME .* or --all-nodes/],
    ['no rate', { rate: undefined }, /--rate MBPS/],
    ['no duration', { duration: undefined }, /--duration SECONDS/],
    ['a frame too small', { size: '20' }, /s_min = 20: expected an integer frame size 64\.\.9000/],
  ];
  for (const [what, patch, message] of missing) {
    it(`refuses ${what} with a user error`, () => {
      assert.throws(() => jobFromFlags(flags(patch)), (error: unknown) => error instanceof UserError && message.test(error.message));
    });
  }

  it('parses --add-node NAME=HOST[:PORT]', () => {
    assert.deepEqual(parseAddNode('m2=127.0.0.1:1733'), { name: 'm2', host: '127.0.0.1', port: 1733, reflector: '' });
    assert.deepEqual(parseAddNode('m3=localhost'), { name: 'm3', host: 'localhost', port: 1729, reflector: '' });
    assert.throws(() => parseAddNode('127.0.0.1'), /expected NAME=HOST\[:PORT\]/);
  });

  it('shows progress as done count and the running job', () => {
    const job = (id: string, state: JobInfo['state'], started = 0) => ({ id, node: 'm0', state, started_at: started, data: { w: 1, t: 3 } }) as JobInfo;
    assert.equal(progressLine([job('a', 'succeeded'), job('b', 'running', 1000), job('c', 'pending')], 3000), '1/3 done; b on m0 50%');
  });
});
