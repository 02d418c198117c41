import assert from 'node:assert/strict';
import type { JobRecord } from '../../src/scheduler/types.js';
import type { SchedulerStore } from '../../src/store/index.js';
import { finishedJob, fullStats, makeJob, makeNode, search } from './records.js';

/** The behaviour every SchedulerStore must show; `makeStore` returns a new, empty store each call. */
export function describeStoreConformance(name: string, makeStore: () => SchedulerStore): void {
  describe(`${name}: SchedulerStore conformance`, () => {
    let store: SchedulerStore;
    beforeEach(() => { store = makeStore(); });
    afterEach(() => store.close());

    const alpha = makeNode('alpha', 0);
    const beta = makeNode('beta', 1, { reflector: '10.0.0.2:7', health: 'up', paused: true, failures: 3, retryAt: 1234 });

    it('loads an empty state from a new store', () => {
      assert.deepEqual(store.load(), { nodes: new Map(), jobs: new Map(), nextSeq: 0 });
    });

    it('reads back nodes and jobs exactly, optional fields absent or set', () => {
      const bare = makeJob('j1', 'alpha', 2);
      const full = finishedJob('j2', 'beta', 3);
      const { rtt_us: _rtt, ...statsWithoutRtt } = fullStats;
      const noRtt = makeJob('j3', 'alpha', 4, { state: 'failed', stats: statsWithoutRtt });
      store.apply({ nodes: [alpha, beta], jobs: [bare, full, noRtt] });
      const state = store.load();
      assert.deepEqual([...state.nodes.values()], [alpha, beta]);
      assert.deepEqual([...state.jobs.values()], [bare, full, noRtt]);
      assert.deepEqual([...state.jobs.keys()], ['j1', 'j2', 'j3']);
      assert.equal('sentAt' in state.jobs.get('j1')!, false);
      assert.equal('reflector' in state.nodes.get('alpha')!, false);
    });

    it('updates a job through its life cycle, keeping one record', () => {
      const job = makeJob('j1', 'alpha', 1);
      store.apply({ nodes: [alpha], jobs: [job] });
      const steps: Array<Partial<JobRecord>> = [
        { state: 'sent', sends: 1, sentAt: 10, deadline: 100 },
        { state: 'running', attempts: 1, startedAt: 20, deadline: 200 },
        { state: 'succeeded', stats: fullStats, finishedAt: 30, deadline: undefined },
      ];
      let current = job;
      for (const step of steps) {
        current = { ...current, ...step };
        if (current.deadline === undefined) delete current.deadline;
        store.apply({ jobs: [current] });
        assert.deepEqual(store.load().jobs, new Map([['j1', current]]));
      }
    });

    it('keeps a lost job\'s late result and its run number, and clears neither on other updates', () => {
      const lost = makeJob('j1', 'alpha', 1, {
        state: 'lost', run: 2, attempts: 2, reason: 'no final status within w + t + 30 s', finishedAt: 50,
        late: { type: 'SUCCESS', reason: '', stats: structuredClone(fullStats), at: 60 },
      });
      const lateFail = makeJob('j2', 'alpha', 2, { state: 'lost', finishedAt: 51, late: { type: 'FAIL', reason: 'emitter crashed', at: 70 } });
      store.apply({ nodes: [alpha], jobs: [lost, lateFail] });
      assert.deepEqual([...store.load().jobs.values()], [lost, lateFail]);
      const moved = { ...lost, priority: 9 };
      store.apply({ jobs: [moved] });
      assert.deepEqual(store.load().jobs.get('j1'), moved);
    });

    it('updates a node in place', () => {
      store.apply({ nodes: [alpha] });
      const down = { ...alpha, health: 'down' as const, failures: 4, retryAt: 99 };
      store.apply({ nodes: [down] });
      assert.deepEqual(store.load().nodes, new Map([['alpha', down]]));
    });

    it('loads nodes and jobs in seq order, whatever the order they were written in', () => {
      store.apply({ nodes: [makeNode('n9', 9), makeNode('n3', 3)] });
      store.apply({ nodes: [makeNode('n5', 5)] });
      for (const seq of [14, 11, 17, 12]) store.apply({ jobs: [makeJob(`j${seq}`, 'n3', seq)] });
      store.apply({ jobs: [makeJob('j11', 'n3', 11, { state: 'sent' })] });
      const state = store.load();
      assert.deepEqual([...state.nodes.keys()], ['n3', 'n5', 'n9']);
      assert.deepEqual([...state.jobs.keys()], ['j11', 'j12', 'j14', 'j17']);
    });

    it('keeps nextSeq one past the highest seq ever written, even after removals', () => {
      store.apply({ nodes: [makeNode('alpha', 0)], jobs: [makeJob('j1', 'alpha', 1), makeJob('j7', 'alpha', 7)] });
      assert.equal(store.load().nextSeq, 8);
      store.apply({ removedJobs: ['j7'] });
      store.apply({ jobs: [makeJob('j3', 'alpha', 3)] });
      assert.equal(store.load().nextSeq, 8);
    });

    it('finds a loaded file by hash, and only that one', () => {
      const file = { hash: 'sha256:abc', path: '/tmp/jobs.json', loadedAt: 1_700_000_000_000, jobCount: 12, run: 1 };
      assert.equal(store.findFile(file.hash), undefined);
      store.apply({ files: [file] });
      assert.deepEqual(store.findFile(file.hash), file);
      assert.equal(store.findFile('sha256:other'), undefined);
      store.apply({ files: [{ ...file, path: '/tmp/renamed.json' }] });
      assert.equal(store.findFile(file.hash)?.path, '/tmp/renamed.json');
    });

    it('removes jobs, ignoring ids it does not hold', () => {
      store.apply({ nodes: [alpha], jobs: [makeJob('j1', 'alpha', 1), makeJob('j2', 'alpha', 2)] });
      store.apply({ jobs: [makeJob('j3', 'alpha', 3)], removedJobs: ['j1', 'nope'] });
      assert.deepEqual([...store.load().jobs.keys()], ['j2', 'j3']);
    });

    it('removes after upserting, so a job both written and removed in one change set is gone', () => {
      store.apply({ nodes: [alpha], jobs: [makeJob('j1', 'alpha', 1)], removedJobs: ['j1'] });
      assert.equal(store.load().jobs.size, 0);
    });

    it('saves a retention step: a job finishing and the oldest finished removed, in one change set', () => {
      const done = (id: string, seq: number) => makeJob(id, 'alpha', seq, { state: 'succeeded', finishedAt: seq });
      store.apply({ nodes: [alpha], jobs: [done('j1', 1), done('j2', 2), makeJob('j3', 'alpha', 3, { state: 'running' }), makeJob('j4', 'alpha', 4)] });
      store.apply({ jobs: [done('j3', 3), makeJob('j4', 'alpha', 4, { state: 'sent' })], removedJobs: ['j1'] });
      const jobs = store.load().jobs;
      assert.deepEqual([...jobs.values()].map((job) => `${job.id}:${job.state}`), ['j2:succeeded', 'j3:succeeded', 'j4:sent']);
    });

    it('removes most of a thousand jobs in one change set, keeping nextSeq', () => {
      const jobs = Array.from({ length: 1000 }, (_, i) => makeJob(`j${i}`, 'alpha', i + 1, { state: 'succeeded' }));
      store.apply({ nodes: [alpha], jobs });
      store.apply({ removedJobs: jobs.slice(0, 900).map((job) => job.id) });
      const state = store.load();
      assert.deepEqual([...state.jobs.keys()], jobs.slice(900).map((job) => job.id));
      assert.equal(state.nextSeq, 1001);
    });

    it('accepts a job whose node arrives in the same change set', () => {
      store.apply({ nodes: [alpha], jobs: [makeJob('j1', 'alpha', 1)] });
      assert.equal(store.load().jobs.get('j1')?.node, 'alpha');
    });

    const invalid: Array<[string, () => JobRecord]> = [
      ['a job whose node does not exist', () => makeJob('bad', 'ghost', 9)],
      ['a job in a state outside the union', () => makeJob('bad', 'alpha', 9, { state: 'paused' as JobRecord['state'] })],
      ['a job on run 0', () => makeJob('bad', 'alpha', 9, { run: 0 })],
    ];
    for (const [what, badJob] of invalid) {
      it(`applies nothing from a change set holding ${what}`, () => {
        store.apply({ nodes: [alpha], jobs: [makeJob('j1', 'alpha', 1)], files: [{ hash: 'h0', path: 'a', loadedAt: 1, jobCount: 1, run: 1 }] });
        const before = store.load();
        assert.throws(
          () => store.apply({
            nodes: [makeNode('gamma', 5), { ...alpha, health: 'down' }],
            jobs: [makeJob('j1', 'alpha', 1, { state: 'sent' }), makeJob('j2', 'gamma', 6), badJob()],
            files: [{ hash: 'h1', path: 'b', loadedAt: 2, jobCount: 2, run: 1 }],
            removedJobs: ['j1'],
          }),
          { code: 'ERR_STORE' },
        );
        assert.deepEqual(store.load(), before);
        assert.equal(store.findFile('h1'), undefined);
        // The store stays usable after a failed change set.
        store.apply({ jobs: [makeJob('j4', 'alpha', 4)] });
        assert.equal(store.load().jobs.size, 2);
      });
    }

    it('does not let callers change stored records through the objects they passed or got', () => {
      const job = finishedJob('j1', 'alpha', 1);
      store.apply({ nodes: [alpha], jobs: [job] });
      job.state = 'failed';
      job.stats!.rtt_us!.p99 = -1;
      const loaded = store.load().jobs.get('j1')!;
      assert.equal(loaded.state, 'succeeded');
      loaded.data.m = -1;
      assert.deepEqual(store.load().jobs.get('j1'), finishedJob('j1', 'alpha', 1));
    });

    it('keeps the latest run of a jobs file with the ids it queued, an empty list included', () => {
      const first = { hash: 'h', path: 'jobs.json', loadedAt: 1, jobCount: 2, run: 1, jobIds: ['ja', 'jb', 'jc'] };
      store.apply({ files: [first] });
      assert.deepEqual(store.findFile('h'), first);
      const second = { ...first, loadedAt: 2, run: 2, jobIds: ['jd', 'je', 'jf'] };
      store.apply({ files: [second] });
      assert.deepEqual(store.findFile('h'), second);
      store.apply({ files: [{ ...first, hash: 'empty', jobCount: 0, jobIds: [] }] });
      assert.deepEqual(store.findFile('empty')?.jobIds, []);
    });

    it('reads back since when a node is down, and forgets it once it is up', () => {
      const down = { ...alpha, health: 'down' as const, downSince: 1_700_000_000_123 };
      store.apply({ nodes: [down] });
      assert.deepEqual(store.load().nodes.get('alpha'), down);
      store.apply({ nodes: [alpha] });
      assert.equal('downSince' in store.load().nodes.get('alpha')!, false);
    });

    it('removes a node: gone from the loaded state, its kept jobs still loaded and still writable', () => {
      store.apply({ nodes: [alpha, beta], jobs: [makeJob('j1', 'alpha', 2, { state: 'cancelled', finishedAt: 5 })] });
      store.apply({ removedNodes: ['alpha', 'beta'] });
      const state = store.load();
      assert.deepEqual([...state.nodes.keys()], []);
      assert.deepEqual([...state.jobs.keys()], ['j1']);
      // A late write of a removed node's job (its cancel confirmed) still goes in.
      store.apply({ jobs: [makeJob('j1', 'alpha', 2, { state: 'cancelled', finishedAt: 6, reason: 'node alpha removed' })] });
      assert.equal(store.load().jobs.get('j1')?.reason, 'node alpha removed');
      store.apply({ removedJobs: ['j1'] });
      assert.equal(store.load().jobs.size, 0);
    });

    it('takes a removed node name again as a new node, in a later change set or the same one', () => {
      store.apply({ nodes: [alpha], jobs: [makeJob('j1', 'alpha', 2, { state: 'cancelled' })] });
      store.apply({ removedNodes: ['alpha'] });
      const again = { ...alpha, host: '10.9.9.9', seq: 7 };
      store.apply({ nodes: [again] });
      assert.deepEqual([...store.load().nodes.values()], [again]);
      store.apply({ nodes: [beta], removedNodes: ['beta'] });
      assert.deepEqual([...store.load().nodes.keys()], ['alpha']);
    });

    it('keeps searches with their trials, updates one in place, and loads them oldest first', () => {
      const first = search('s000000000001', 20);
      const second = search('s000000000002', 10, { spec: { ...first.spec, resolution: { bps: 500_000 } }, trials: [] });
      store.apply({ searches: [first, second] });
      assert.deepEqual(store.loadSearches(), [second, first]);
      const done = { ...first, state: 'done' as const, finishedAt: 99, trials: [...first.trials, { ...first.trials[3]!, jobId: 's000000000001t4' }] };
      store.apply({ searches: [done] });
      assert.deepEqual(store.loadSearches(), [second, done]);
      const { maxRateBps: _none, ...unbounded } = first.spec;
      store.apply({ searches: [{ ...second, spec: unbounded }] });
      assert.equal('maxRateBps' in store.loadSearches()[0]!.spec, false, 'no max_rate stays absent');
    });

    it('saves a search with the job it queues in one change set, and applies neither when the job is refused', () => {
      store.apply({ nodes: [alpha] });
      const s = search('s000000000003', 1);
      store.apply({ searches: [s], jobs: [makeJob('s000000000003t4', 'alpha', 5)] });
      assert.deepEqual(store.loadSearches(), [s]);
      assert.throws(() => store.apply({ searches: [{ ...s, state: 'done' }], jobs: [makeJob('s000000000003t5', 'nobody', 6)] }));
      assert.deepEqual(store.loadSearches(), [s]);
      assert.equal(store.load().jobs.has('s000000000003t5'), false);
    });

    it('treats an empty change set as a no-op', () => {
      store.apply({});
      assert.deepEqual(store.load(), { nodes: new Map(), jobs: new Map(), nextSeq: 0 });
    });
  });
}
