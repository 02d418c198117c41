import assert from 'node:assert/strict';
import { jobFromFlags, parseAddNode, progressLine, sizeFields, type JobFlags } from '../../src/control/submit.js';
import { typed } from '../../src/input/json.js';
import { UserError } from '../../src/errors.js';
import type { JobInfo } from '../../src/protocol/view.js';

const flags = (patch: Partial<JobFlags> = {}): JobFlags => ({
  node: ['m0'], 'all-nodes': false, rate: 10, duration: 1, warmup: 0, flows: 1, size: '500',
  'random-payload': false, latency: false, priority: 0, retries: 0, ...patch,
});

describe('submit: flags into a job', () => {
  const sizes: Array<[string, { s_min: unknown; s_max?: unknown }]> = [
    ['64', { s_min: 64 }],
    ['64-1500', { s_min: 64, s_max: 1500 }],
    ['500-500', { s_min: 500, s_max: 0 }],
    // Not checked here: the scheduler's one job schema says what is wrong, naming the field.
    ['900-800', { s_min: 900, s_max: 800 }],
    ['big', { s_min: 'big' }],
    ['64-x', { s_min: 64, s_max: 'x' }],
  ];
  for (const [text, expected] of sizes) {
    it(`--size ${text} sets ${JSON.stringify(expected)}`, () => assert.deepEqual(sizeFields(text), expected));
  }

  it('sends the job as typed, in jobs.json names', () => {
    const job = jobFromFlags(flags({ rate: 20, duration: 30, warmup: 5, flows: 15, size: '200-800', 'random-payload': true, latency: true, priority: 3, target: 'm1', timeout: 2.5 }));
    assert.deepEqual(JSON.parse(job.json), {
      nodes: ['m0'], priority: 3, target: 'm1', timeout: 2.5, retries: 0,
      data: { m: 20, t: 30, w: 5, n: 15, s_min: 200, s_max: 800, r: true, l: true },
    });
    assert.equal(job.where, 'submit');
    assert.equal(job.all_nodes, false);
  });

  it('keeps values the schema will refuse, for the scheduler to name', () => {
    assert.deepEqual(JSON.parse(jobFromFlags(flags({ duration: 0, rate: 'fast' })).json).data, { m: 'fast', t: 0, w: 0, n: 1, s_min: 500, r: false, l: false });
    assert.deepEqual([typed('1.5'), typed('-2'), typed('1e3'), typed('0x10'), typed(' 7 '), typed('')], [1.5, -2, 1000, '0x10', 7, '']);
  });

  const missing: Array<[string, Partial<JobFlags>, RegExp]> = [
    ['no node', { node: undefined }, /--node NAME .* or --all-nodes/],
    ['no rate', { rate: undefined }, /--rate MBPS/],
    ['no duration', { duration: undefined }, /--duration SECONDS/],
  ];
  for (const [what, patch, message] of missing) {
    it(`refuses ${what} with a user error naming the flag`, () => {
      assert.throws(() => jobFromFlags(flags(patch)), (error: unknown) => error instanceof UserError && message.test(error.message));
    });
  }

  it('parses --add-node NAME=HOST[:PORT]', () => {
    assert.deepEqual(parseAddNode('m2=127.0.0.1:1733'), { name: 'm2', host: '127.0.0.1', port: 1733, reflector: '', legacy: false });
    assert.deepEqual(parseAddNode('m3=localhost'), { name: 'm3', host: 'localhost', port: 1729, reflector: '', legacy: false });
    assert.throws(() => parseAddNode('127.0.0.1'), /expected NAME=HOST\[:PORT\]/);
  });

  it('shows progress as done count and the running job', () => {
    const job = (id: string, state: JobInfo['state'], started = 0) => ({ id, node: 'm0', state, started_at: started, data: { w: 1, t: 3 } }) as JobInfo;
    assert.equal(progressLine([job('a', 'succeeded'), job('b', 'running', 1000), job('c', 'pending')], 3000), '1/3 done; b on m0 50%');
  });
});
