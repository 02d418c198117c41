import assert from 'node:assert/strict';
import { SchedulerCore, type NewJob } from '../../src/scheduler/core.js';
import { submissionRows, type Submission } from '../../src/scheduler/records.js';
import type { JobRecord, NodeRecord, SchedulerState } from '../../src/scheduler/types.js';

const data = { m: 10, t: 2, w: 1, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const job = (id: string, node: string): NewJob => ({ id, node, priority: 1, data, target: '', timeoutS: 5, retries: 0 });

/** A core with nodes m0 (paused, so that nothing is dispatched) and m1, and jobs a (pending) and b (finished). */
function coreWithState(): SchedulerCore {
  const core = new SchedulerCore({ nodes: new Map(), jobs: new Map(), nextSeq: 1 } as SchedulerState);
  core.handle({ type: 'nodeAdded', node: { name: 'm0', host: '127.0.0.1', port: 1729 }, now: 0 });
  core.handle({ type: 'nodeAdded', node: { name: 'm1', host: '127.0.0.1', port: 1730 }, now: 0 });
  core.handle({ type: 'pauseChanged', node: 'm0', paused: true, now: 0 });
  core.handle({ type: 'pauseChanged', node: 'm1', paused: true, now: 0 });
  core.handle({ type: 'jobsAdded', jobs: [job('a', 'm0'), job('b', 'm1')], now: 0 });
  core.handle({ type: 'cancelRequested', jobId: 'b', now: 0 });
  return core;
}

/** Applies a submission as the service does: nodes, jobs, cancellations, node cancellations and removals, pauses, each an event. */
function apply(core: SchedulerCore, submission: Submission, now: number): { nodes: Map<string, NodeRecord>; jobs: Map<string, JobRecord>; removedNodes: string[] } {
  const nodes = new Map<string, NodeRecord>();
  const jobs = new Map<string, JobRecord>();
  const removedNodes: string[] = [];
  const keep = (result: ReturnType<SchedulerCore['handle']>): void => {
    for (const name of result.removedNodes ?? []) {
      nodes.delete(name);
      removedNodes.push(name);
    }
    for (const node of result.changedNodes) nodes.set(node.name, structuredClone(node));
    for (const record of result.changedJobs) jobs.set(record.id, structuredClone(record));
  };
  for (const node of submission.nodes) keep(core.handle({ type: 'nodeAdded', node, now }));
  keep(core.handle({ type: 'jobsAdded', jobs: submission.jobs, now }));
  for (const jobId of submission.cancel) keep(core.handle({ type: 'cancelRequested', jobId, now }));
  for (const node of submission.cancelNodes) keep(core.handle({ type: 'nodeCancelRequested', node, now }));
  for (const node of submission.removeNodes) keep(core.handle({ type: 'nodeRemoved', node, now }));
  for (const { node, paused } of submission.pause) keep(core.handle({ type: 'pauseChanged', node, paused, now }));
  return { nodes, jobs, removedNodes };
}

const none = { nodes: [], jobs: [], cancel: [], cancelNodes: [], removeNodes: [], pause: [] };

describe('submissionRows: the rows a control request leaves, written before the core applies it', () => {
  it('equals, row for row, what the core then changes: new and moved nodes, new jobs and their seqs, cancels, pauses', () => {
    const core = coreWithState();
    const submission: Submission = {
      nodes: [
        { name: 'm2', host: '10.0.0.2', port: 1729, reflector: '10.0.0.2:1730' },
        { name: 'm1', host: '10.0.0.1', port: 1731 },
        { name: 'm0', host: '127.0.0.1', port: 1729 }, // named again as it is: no row
        { name: 'm3', host: '10.0.0.3', port: 1729, legacy: true },
      ],
      jobs: [job('c', 'm2'), job('d', 'm0'), job('a', 'm0'), job('e', 'nowhere'), job('f', 'm3')],
      cancel: ['a', 'b', 'zz'],
      cancelNodes: [],
      removeNodes: [],
      pause: [{ node: 'm2', paused: true }, { node: 'm1', paused: true }],
    };
    const before = structuredClone(core.state);
    const rows = submissionRows(core, submission, 500);
    assert.deepEqual(core.state, before, 'computing the rows changes nothing');
    assert.deepEqual(rows.removedNodes, []);
    // m2 is paused in the same request: nothing is dispatched, so the core's last word on each row is comparable.
    const applied = apply(core, { ...submission, pause: [] }, 500);
    const paused = apply(core, { ...none, pause: submission.pause }, 500);
    for (const [name, node] of paused.nodes) applied.nodes.set(name, node);
    assert.deepEqual(new Map(rows.nodes.map((node) => [node.name, node])), applied.nodes);
    const jobs = new Map(rows.jobs.map((row) => [row.id, row]));
    assert.deepEqual([...jobs.keys()].sort(), ['a', 'c', 'd', 'f']);
    assert.deepEqual([...applied.jobs.keys()].sort(), ['a', 'c', 'd', 'f']);
    for (const id of ['a', 'd']) assert.deepEqual(jobs.get(id), applied.jobs.get(id), id);
    // c and f were dispatched on arrival (m2, m3 were not paused yet); their rows are as queued, before that.
    for (const id of ['c', 'f']) {
      const { state, sentAt, sends, deadline, ...queued } = applied.jobs.get(id)!;
      assert.equal(state, 'sent');
      assert.deepEqual({ ...jobs.get(id), state: undefined, sentAt: undefined, sends: undefined, deadline: undefined }, { ...queued, state: undefined, sentAt: undefined, sends: undefined, deadline: undefined });
      assert.equal(jobs.get(id)!.state, 'pending');
      assert.ok(sentAt === 500 && sends === 1 && deadline !== undefined);
    }
    assert.equal(core.state.nextSeq, before.nextSeq + 5, 'two new nodes and three new jobs took the seqs the rows gave them');
  });

  it('equals what the core changes when a request cancels every job of one node and removes another, with jobs it queues itself', () => {
    const core = coreWithState();
    core.handle({ type: 'pauseChanged', node: 'm1', paused: false, now: 1 });
    core.handle({ type: 'jobsAdded', jobs: [job('g', 'm1'), job('h', 'm1'), job('i', 'm0')], now: 1 });
    assert.equal(core.currentJob('m1')?.id, 'g', 'm1 is busy with g, h waits');
    const submission: Submission = { ...none, jobs: [job('k', 'm0'), job('l', 'm1')], cancelNodes: ['m0'], removeNodes: ['m1', 'zz'] };
    const rows = submissionRows(core, submission, 700);
    const applied = apply(core, submission, 700);
    assert.deepEqual(rows.removedNodes, ['m1']);
    assert.deepEqual(applied.removedNodes, ['m1']);
    assert.deepEqual(rows.nodes, []);
    const jobs = new Map(rows.jobs.map((row) => [row.id, row]));
    assert.deepEqual([...jobs.keys()].sort(), ['a', 'g', 'h', 'i', 'k', 'l']);
    for (const [id, row] of jobs) {
      const after = applied.jobs.get(id)!;
      assert.deepEqual([row.state, row.reason, row.finishedAt, row.seq], [after.state, after.reason, after.finishedAt, after.seq], id);
    }
    assert.equal(jobs.get('g')!.reason, 'node m1 removed');
    assert.equal(jobs.get('k')!.reason, 'cancelled with every job of node m0');
  });

  it('has no row for a request that changes nothing', () => {
    const core = coreWithState();
    const rows = submissionRows(core, { ...none, nodes: [{ name: 'm0', host: '127.0.0.1', port: 1729 }], cancel: ['b'], pause: [{ node: 'm0', paused: true }] }, 1);
    assert.deepEqual(rows, { nodes: [], jobs: [], removedNodes: [] });
  });
});
