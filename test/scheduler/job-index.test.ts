import assert from 'node:assert/strict';
import { JobIndex } from '../../src/scheduler/job-index.js';
import type { JobRecord } from '../../src/scheduler/types.js';
import { JOB_STATES, type JobState } from '../../src/protocol/view.js';
import { makeJob } from '../store/records.js';

describe('JobIndex: finds jobs by node and states as a filter over every job would', () => {
  const index = new JobIndex();
  const held = new Map<string, JobRecord>();
  // 400 jobs on 5 nodes, moved through states and some removed, in an order unlike their seqs.
  for (let i = 0; i < 400; i++) {
    const job = makeJob(`j${i}`, `m${i % 5}`, (i * 37) % 400);
    held.set(job.id, job);
    index.added(job);
  }
  for (const [i, job] of [...held.values()].entries()) {
    const from = job.state;
    job.state = JOB_STATES[(i * 7) % JOB_STATES.length]!;
    index.moved(job, from);
    if (i % 9 === 0) {
      index.removed(job);
      held.delete(job.id);
    }
  }

  const filtered = (node: string, states: readonly JobState[]) =>
    [...held.values()].filter((job) => (!node || job.node === node) && (states.length === 0 || states.includes(job.state))).sort((a, b) => a.seq - b.seq);

  const stateSets: JobState[][] = [[], ['pending'], ['failed', 'lost', 'cancelled'], [...JOB_STATES]];
  for (const node of ['', 'm0', 'm4', 'nobody']) {
    for (const states of stateSets) {
      for (const limit of [0, 1, 7, 1000]) {
        it(`node "${node}", states [${states.join(', ')}], limit ${limit}`, () => {
          const expected = filtered(node, states);
          const found = index.find(node, states, limit);
          assert.equal(found.total, expected.length);
          assert.deepEqual(found.jobs.map((job) => job.id), (limit ? expected.slice(-limit) : expected).map((job) => job.id));
        });
      }
    }
  }

  it('counts by node and state, every node when the node is empty', () => {
    for (const state of JOB_STATES) {
      assert.equal(index.count('', state), filtered('', [state]).length);
      assert.equal(index.count('m2', state), filtered('m2', [state]).length);
    }
  });
});
