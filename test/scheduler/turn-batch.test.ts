import assert from 'node:assert/strict';
import { TurnBatch } from '../../src/scheduler/turn-batch.js';
import { makeJob, makeNode } from '../store/records.js';

describe('TurnBatch: one event-loop turn of store changes and effects', () => {
  it('writes a record changed by several events once, in its latest state', () => {
    const batch = new TurnBatch();
    const job = makeJob('j1', 'alpha', 1);
    const node = makeNode('alpha', 0);
    batch.add({ changedJobs: [job], changedNodes: [node], removedJobs: [], effects: [{ type: 'sendJob', node: 'alpha', jobId: 'j1' }] });
    job.state = 'running';
    batch.add({ changedJobs: [job], changedNodes: [], removedJobs: [], effects: [{ type: 'jobFinished', jobId: 'j1', state: 'succeeded' }] });
    assert.deepEqual(batch.changes(), { nodes: [node], jobs: [job], files: [], removedJobs: [] });
    assert.equal(batch.changes()!.jobs![0]!.state, 'running');
    assert.deepEqual(batch.effects.map((effect) => effect.type), ['sendJob', 'jobFinished']);
  });

  it('has nothing to write when no record changed and no file came', () => {
    const batch = new TurnBatch();
    batch.add({ changedJobs: [], changedNodes: [], removedJobs: [], effects: [{ type: 'log', level: 'info', message: 'sent' }] });
    assert.equal(batch.changes(), undefined);
    assert.equal(batch.changedRecords, false);
  });

  it('writes a jobs file even with no record', () => {
    const batch = new TurnBatch();
    const file = { hash: 'h', path: 'jobs.json', loadedAt: 1, jobCount: 0, run: 1 };
    batch.add({ changedJobs: [], changedNodes: [], removedJobs: [], effects: [] }, file);
    assert.deepEqual(batch.changes(), { nodes: [], jobs: [], files: [file], removedJobs: [] });
  });

  it('tells whoever waits whether the batch was saved', async () => {
    const saved = new TurnBatch();
    const waiting = saved.whenSaved();
    assert.equal(saved.whenSaved(), waiting, 'one promise for the whole batch');
    saved.settle();
    await waiting;
    const failed = new TurnBatch();
    const refused = failed.whenSaved();
    failed.settle(new Error('disk full'));
    await assert.rejects(refused, /disk full/);
  });

  it('takes over the records and removals of a batch that could not be saved, not its effects', () => {
    const failed = new TurnBatch();
    const job = makeJob('j1', 'alpha', 1);
    failed.add({ changedJobs: [job], changedNodes: [], removedJobs: ['j0'], effects: [{ type: 'sendJob', node: 'alpha', jobId: 'j1' }] });
    const next = new TurnBatch();
    next.retry(failed);
    assert.deepEqual(next.changes(), { nodes: [], jobs: [job], files: [], removedJobs: ['j0'] });
    assert.deepEqual(next.effects, []);
  });

  it('saves the jobs retention removed, which alone count as a change', () => {
    const batch = new TurnBatch();
    batch.add({ changedJobs: [], changedNodes: [], removedJobs: ['j1'], effects: [] });
    batch.add({ changedJobs: [], changedNodes: [], removedJobs: ['j2', 'j3'], effects: [] });
    assert.deepEqual(batch.changes(), { nodes: [], jobs: [], files: [], removedJobs: ['j1', 'j2', 'j3'] });
    assert.equal(batch.changedRecords, true);
  });

  it('removes a node after its earlier changes of the turn, and forgets the removal when the name is taken again', () => {
    const batch = new TurnBatch();
    const old = makeNode('alpha', 0);
    batch.add({ changedJobs: [], changedNodes: [old], removedJobs: [], effects: [] });
    batch.add({ changedJobs: [], changedNodes: [], removedJobs: [], removedNodes: ['alpha'], effects: [] });
    assert.equal(batch.changedRecords, true);
    assert.deepEqual(batch.changes(), { nodes: [], jobs: [], files: [], removedJobs: [], removedNodes: ['alpha'] });
    const again = makeNode('alpha', 5, { host: '10.9.9.9' });
    batch.add({ changedJobs: [], changedNodes: [again], removedJobs: [], effects: [] });
    assert.deepEqual(batch.changes(), { nodes: [again], jobs: [], files: [], removedJobs: [] });
    const next = new TurnBatch();
    const failed = new TurnBatch();
    failed.add({ changedJobs: [], changedNodes: [], removedJobs: [], removedNodes: ['beta'], effects: [] });
    next.retry(failed);
    assert.deepEqual(next.changes()?.removedNodes, ['beta']);
  });
});
