import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { parseSearch } from '../../src/input/search.js';
import { trialJobId, type SearchRecord } from '../../src/scheduler/search.js';
import { newJobRecord } from '../../src/scheduler/records.js';
import { trialJob } from '../../src/scheduler/search-runner.js';
import { FakeNode } from '../helpers/fake-node.js';
import { until } from '../helpers/until.js';

const spec = parseSearch({ node: 'm0', target: '127.0.0.1:9', sizes: [64, 128], trial: 1, max_rate: '10M' }, 'test');

describe('search runner: trials as ordinary jobs of the scheduler service', function () {
  this.timeout(20_000);
  let node: FakeNode;
  let service: SchedulerService | undefined;
  const lines: string[] = [];
  const log = createLogger({ write: (line: string) => lines.push(line) });

  beforeEach(async () => {
    node = new FakeNode();
    await node.start();
    lines.length = 0;
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await node.stop();
  });

  async function serve(store: MemoryStore, core: { keepJobs?: number } = {}): Promise<SchedulerService> {
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log, tickMs: 20, core: { backoffMs: () => 20, ...core } });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
    return service;
  }
  const searchOf = (s: SchedulerService, id: string): SearchRecord => s.searches.list().find((r) => r.id === id)!;

  it('a trial whose job fails is re-run once, then gives its size up naming why (never counted as loss), and the search goes on', async () => {
    node.behaviour = { kind: 'fail', reason: 'emitter exited 1' };
    const s = await serve(new MemoryStore());
    const { id } = await s.searches.start(spec);
    await until('the search to end', () => searchOf(s, id).state === 'done', 15_000);
    const { trials } = searchOf(s, id);
    assert.deepEqual(trials.map((t) => [t.size, t.rateBps, t.verdict, t.jobId]), [[64, 10e6, 'failed', trialJobId(id, 0)], [128, 10e6, 'failed', trialJobId(id, 1)]]);
    assert.equal(trials[0]!.reason, `job ${id}t0 failed: emitter exited 1`);
    // Each trial ran twice on the node, under its run's own id: its retry.
    assert.deepEqual(node.jobs.map((j) => j.job.id), [`${id}t0`, `${id}t0.2`, `${id}t1`, `${id}t1.2`]);
    assert.equal(node.jobs[0]!.job.s_min, 64);
    assert.equal(node.jobs[0]!.job.m, 10);
    assert.ok(lines.some((line) => line.includes(`search ${id} done: 64 B aborted (trial at 10 Mbit/s failed: job ${id}t0 failed: emitter exited 1)`)), lines.join('\n'));
  });

  it('with --keep-jobs 0 (a finished job leaves at once) each trial still runs once and gets its verdict', async () => {
    node.behaviour = { kind: 'fail', reason: 'emitter exited 1' };
    const s = await serve(new MemoryStore(), { keepJobs: 0 });
    const { id } = await s.searches.start(spec);
    // Bounded either way: the search ends, or a trial runs more often than its one retry allows.
    await until('the search to end, or a trial to run again', () => searchOf(s, id).state === 'done' || node.jobs.length > 4, 15_000);
    assert.deepEqual(node.jobs.map((j) => j.job.id), [`${id}t0`, `${id}t0.2`, `${id}t1`, `${id}t1.2`], 'each trial ran once (and its one retry), never again');
    const { trials, state } = searchOf(s, id);
    assert.equal(state, 'done');
    assert.deepEqual(trials.map((t) => [t.size, t.verdict, t.jobId]), [[64, 'failed', trialJobId(id, 0)], [128, 'failed', trialJobId(id, 1)]]);
    assert.equal(trials[0]!.reason, `job ${id}t0 failed: emitter exited 1`);
  });

  it('a SUCCESS without echoes has no loss to judge: the trial fails, saying so', async () => {
    const s = await serve(new MemoryStore());
    const { id } = await s.searches.start({ ...spec, sizes: [64] });
    await until('the search to end', () => searchOf(s, id).state === 'done', 15_000);
    assert.match(searchOf(s, id).trials[0]!.reason, /no echoes came back from the target, so loss is unknown/);
    assert.equal(node.jobs.length, 1, 'a verdict, not a fault: not re-run');
  });

  it('after a restart, takes up a trial whose job ended while the scheduler was down, and queues a missing one once', async () => {
    const store = new MemoryStore();
    const id = 's0123456789ab';
    // Saved before the crash: the search with no trial yet, and its first trial's job, which then failed.
    const job = { ...newJobRecord({ ...trialJob(spec, 64, 10e6), id: trialJobId(id, 0), node: 'm0' }, 1, 1000), state: 'failed' as const, reason: 'node said no', attempts: 2, finishedAt: 2000 };
    store.apply({ nodes: [{ name: 'm0', host: '127.0.0.1', port: node.port, legacy: false, health: 'unknown', paused: false, failures: 0, retryAt: 0, seq: 0 }], jobs: [job], searches: [{ id, spec, trials: [], state: 'running', createdAt: 1000 }] });
    node.behaviour = { kind: 'fail', reason: 'still no' };
    const s = await serve(store);
    await until('the search to end', () => searchOf(s, id).state === 'done', 15_000);
    const { trials } = searchOf(s, id);
    assert.deepEqual(trials.map((t) => t.jobId), [trialJobId(id, 0), trialJobId(id, 1)]);
    assert.equal(trials[0]!.reason, `job ${id}t0 failed: node said no`);
    // t0 ended before the restart: never sent again. t1 was queued once (and re-run once: its retry).
    assert.deepEqual(node.jobs.map((j) => j.job.id), [`${id}t1`, `${id}t1.2`]);
    assert.deepEqual(store.loadSearches().map((r) => [r.id, r.state, r.trials.length]), [[id, 'done', 2]], 'saved');
  });
});
