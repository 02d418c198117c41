import assert from 'node:assert/strict';
import { jobToSpec, JobRejectedError } from '../../src/agent/validate.js';
import { buildEmitterArgs } from '../../src/emitter/spec.js';
import { summaryToStats } from '../../src/emitter/output.js';
import { checkWireJob, legacyRateRefusal, parseJob, validateJobData, validateStoredJobData, type NodeLimits } from '../../src/input/job.js';
import type { Job } from '../../src/protocol/messages.js';

const BASE = { m: 10, t: 1, s_min: 64 };
const wire: Job = { m: 10, t: 2, w: 0, n: 4, s_min: 64, s_max: 0, r: false, l: false, id: 'j', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0 };
const target = { host: '127.0.0.1', port: 9 };

function nodeRefusal(fields: Partial<Job>, limits: NodeLimits): string {
  try {
    jobToSpec({ ...wire, ...fields }, target, limits, 1);
  } catch (error) {
    assert.ok(error instanceof JobRejectedError, String(error));
    return error.message;
  }
  return 'ran';
}

describe('threads in the one job schema', () => {
  it('defaults to one thread, kept out of the data so a one-thread job reads as it always did', () => {
    for (const input of [{}, { threads: 1 }, { threads: null }]) {
      const data = validateJobData({ ...BASE, ...input }, 'j');
      assert.equal('threads' in data, false, JSON.stringify(input));
    }
  });

  it('takes up to one thread per flow, and reads back the same from the store and the wire', () => {
    const data = validateJobData({ ...BASE, n: 4, threads: 4 }, 'j');
    assert.equal(data.threads, 4);
    assert.deepEqual(validateStoredJobData(JSON.parse(JSON.stringify(data))), data);
    assert.equal(checkWireJob({ ...wire, threads: 4 }, {}).threads, 4);
    // 0 on the wire is "not set": one thread.
    assert.equal('threads' in checkWireJob(wire, {}), false);
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['more threads than flows', { n: 2, threads: 3 }, 'j: threads = 3: expected at most 2 threads, one per flow ("n" = 2): each thread sends its own flows'],
    ['2 threads with the default flow', { threads: 2 }, 'j: threads = 2: expected at most 1 thread, one per flow ("n" = 1): each thread sends its own flows'],
    ['0 threads', { threads: 0 }, 'j: threads = 0: expected an integer thread count 1..64'],
    ['above the agreed range', { n: 100, threads: 65 }, 'j: threads = 65: expected an integer thread count 1..64'],
    ['a fraction', { n: 4, threads: 1.5 }, 'j: threads = 1.5: expected an integer thread count 1..64'],
    ['text', { n: 4, threads: 'two' }, 'j: threads = "two": expected an integer thread count 1..64'],
  ];
  for (const [name, input, message] of refusals) {
    it(`refuses ${name}`, () => assert.throws(() => validateJobData({ ...BASE, ...input }, 'j'), { message, code: 'ERR_INPUT' }));
  }

  it('a node refuses more threads than its --max-threads, naming the flag; at the cap it runs', () => {
    assert.equal(nodeRefusal({ threads: 3 }, { maxThreads: 2 }), "threads = 3: expected an integer thread count 1..2, this node's --max-threads");
    assert.equal(nodeRefusal({ threads: 2 }, { maxThreads: 2 }), 'ran');
    assert.equal(nodeRefusal({ threads: 5 }, { maxThreads: 8 }), 'threads = 5: expected at most 4 threads, one per flow ("n" = 4): each thread sends its own flows');
  });

  it('hands the threads to the helper as --threads, and nothing for one thread', () => {
    const two = buildEmitterArgs(jobToSpec({ ...wire, threads: 2 }, target, { maxThreads: 2 }, 1));
    assert.deepEqual(two.slice(two.indexOf('--threads'), two.indexOf('--threads') + 2), ['--threads', '2']);
    assert.deepEqual(two.slice(two.indexOf('--flows'), two.indexOf('--flows') + 2), ['--flows', '4']);
    assert.ok(!buildEmitterArgs(jobToSpec(wire, target, { maxThreads: 2 }, 1)).includes('--threads'));
  });

  it('a legacy node is refused a job with more than one thread, naming the node; one thread it takes', () => {
    const job = { nodes: ['m0', 'old1'], data: { ...BASE, n: 2, threads: 2 } };
    assert.throws(() => parseJob(job, 'jobs.json: $.jobs[1]', { legacy: new Set(['old1']) }), {
      message: 'jobs.json: $.jobs[1]: node old1: threads = 2: expected 1, a legacy node sends on one thread',
      code: 'ERR_INPUT',
    });
    assert.equal(parseJob(job, 'j', { legacy: new Set(['old2']) }).data.threads, 2);
    assert.equal(legacyRateRefusal(validateJobData({ ...BASE, n: 2, threads: 1 }, 'j'), 'old1'), undefined);
  });

  it('the result carries the threads the helper sent on; a helper predating threads counts as one', () => {
    const summary = { event: 'summary', status: 'ok', tx_packets: 10, threads: 2 } as const;
    assert.equal(summaryToStats(summary).threads, 2);
    assert.equal(summaryToStats({ event: 'summary', status: 'ok' }).threads, 1);
  });
});
