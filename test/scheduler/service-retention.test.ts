import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SchedulerService } from '../../src/scheduler/service.js';
import { takeSnapshot } from '../../src/scheduler/snapshot.js';
import { SqliteStore, type Changes, type SchedulerStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import type { JobData } from '../../src/protocol/messages.js';
import { FakeNode } from '../helpers/fake-node.js';
import { until } from '../helpers/until.js';
import { makeJob, makeNode } from '../store/records.js';

/** A store that passes everything to SQLite and remembers when each saved job finished, and which were removed. */
class RecordingStore implements SchedulerStore {
  readonly finishedAt = new Map<string, number>();
  readonly removed: string[] = [];
  constructor(private readonly inner: SchedulerStore) {}
  load() {
    return this.inner.load();
  }
  apply(changes: Changes): void {
    this.inner.apply(changes);
    for (const job of changes.jobs ?? []) if (job.finishedAt !== undefined) this.finishedAt.set(job.id, job.finishedAt);
    this.removed.push(...(changes.removedJobs ?? []));
  }
  loadSearches() {
    return this.inner.loadSearches();
  }
  findFile(hash: string) {
    return this.inner.findFile(hash);
  }
  close(): void {
    this.inner.close();
  }
}

const data: JobData = { m: 1, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const rowsIn = (path: string): number => {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM jobs').get()!.n as number;
  } finally {
    db.close();
  }
};

describe('scheduler service: retention keeps --keep-jobs finished jobs in memory and in SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktgen-retention-'));
  const path = join(dir, 'scheduler.db');
  const nodes = [new FakeNode(), new FakeNode(), new FakeNode(), new FakeNode()];
  const quiet = createLogger({ write: () => undefined });
  let service: SchedulerService | undefined;

  before(async () => {
    for (const node of nodes) {
      await node.start();
      node.behaviour = { kind: 'succeed', ms: 0 };
    }
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with keepJobs 100, a scheduler that ran 1,000 jobs holds the 100 last finished, in memory and in SQLite', async () => {
    const store = new RecordingStore(SqliteStore.open(path));
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log: quiet, tickMs: 20, core: { keepJobs: 100 } });
    await service.start();
    await service.addNodes(nodes.map((node, i) => ({ name: `m${i}`, host: '127.0.0.1', port: node.port })));
    const specs = Array.from({ length: 1000 }, (_, i) => ({ nodes: [`m${i % nodes.length}`], priority: 0, data, target: '', timeoutS: 5, retries: 0 }));
    const ids = service.addJobs(specs);
    const running = service;
    await until('1,000 jobs finished and saved', () => store.finishedAt.size === 1000 && running.core.isDrained(), 60_000);

    const held = [...service.core.state.jobs.values()];
    assert.equal(held.length, 100);
    assert.ok(held.every((job) => job.state === 'succeeded'));
    assert.equal(nodes.reduce((sum, node) => sum + node.jobs.length, 0), 1000, 'every job ran once');
    const snapshot = takeSnapshot(service, { limit: 10 });
    assert.equal(snapshot.jobs_total, 100);
    assert.equal(snapshot.nodes.reduce((sum, node) => sum + node.done, 0), 100);

    // The 900 removed are the first 900 to finish.
    const heldIds = new Set(held.map((job) => job.id));
    assert.deepEqual(new Set(store.removed), new Set(ids.filter((id) => !heldIds.has(id))));
    const lastRemoved = Math.max(...store.removed.map((id) => store.finishedAt.get(id)!));
    assert.ok(held.every((job) => job.finishedAt! >= lastRemoved), 'a job was removed before one that finished earlier');

    await service.stop();
    service = undefined;
    assert.equal(rowsIn(path), 100);
    const reopened = SqliteStore.open(path);
    assert.deepEqual(new Set(reopened.load().jobs.keys()), heldIds);
    reopened.close();
  });

  it('applies keepJobs to the saved jobs on start, after a restart', async () => {
    const restartPath = join(dir, 'restart.db');
    const saved = SqliteStore.open(restartPath);
    const finished = Array.from({ length: 100 }, (_, i) => makeJob(`j${i}`, 'm0', i + 1, { state: 'succeeded', finishedAt: 1000 + i }));
    // m0 is paused, so the queued job stays queued: retention must leave it alone.
    saved.apply({ nodes: [makeNode('m0', 0, { paused: true })], jobs: [...finished, makeJob('queued', 'm0', 101)] });
    saved.close();
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: SqliteStore.open(restartPath), log: quiet, core: { keepJobs: 30 } });
    assert.equal(service.core.state.jobs.size, 101, 'nothing removed before it starts');
    await service.start();
    assert.deepEqual([...service.core.state.jobs.keys()], [...finished.slice(70).map((job) => job.id), 'queued']);
    assert.equal(rowsIn(restartPath), 31);
  });

  it('remembers a failure retention removed, so --exit-when-done cannot pass over it', async () => {
    const failing = nodes[0]!;
    failing.behaviour = { kind: 'fail', reason: 'no route' };
    try {
      service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: SqliteStore.open(join(dir, 'removed-failure.db')), log: quiet, tickMs: 20, core: { keepJobs: 1 } });
      await service.start();
      await service.addNodes([{ name: 'bad', host: '127.0.0.1', port: failing.port }, { name: 'good', host: '127.0.0.1', port: nodes[1]!.port }]);
      const [failed] = service.addJobs([{ nodes: ['bad'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
      const running = service;
      await until('the failure is final', () => running.unsuccessful.has(failed!), 10_000);
      const [later] = service.addJobs([{ nodes: ['good'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
      await until('the success finished and pushed the failure out', () => running.core.state.jobs.get(later!)?.state === 'succeeded' && !running.core.state.jobs.has(failed!), 10_000);
      assert.deepEqual([...service.unsuccessful], [failed]);
    } finally {
      failing.behaviour = { kind: 'succeed', ms: 0 };
    }
  });
});
