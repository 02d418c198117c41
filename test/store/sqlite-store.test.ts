import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { openStore, SqliteStore, STORE_FILE } from '../../src/store/index.js';
import type { SkippedRow } from '../../src/store/store.js';
import type { UserError } from '../../src/errors.js';
import { describeStoreConformance } from './conformance.js';
import { finishedJob, makeJob, makeNode } from './records.js';

const root = mkdtempSync(join(tmpdir(), 'pktgen-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(root, `db-${++counter}.db`);

describeStoreConformance('SqliteStore', () => SqliteStore.open(freshPath()));

describe('SqliteStore: durability and opening', () => {
  const node = makeNode('alpha', 0);
  const job = finishedJob('j1', 'alpha', 1);

  it('sees the data and nextSeq again after close and reopen', () => {
    const path = freshPath();
    const first = SqliteStore.open(path);
    first.apply({ nodes: [node], jobs: [job], files: [{ hash: 'h', path: 'jobs.json', loadedAt: 5, jobCount: 1, run: 1 }] });
    first.close();
    first.close();
    const second = SqliteStore.open(path);
    assert.deepEqual(second.load(), { nodes: new Map([['alpha', node]]), jobs: new Map([['j1', job]]), nextSeq: 2 });
    assert.equal(second.findFile('h')?.jobCount, 1);
    second.close();
  });

  it('lets a second connection read what the first committed without closing', () => {
    const path = freshPath();
    const writer = SqliteStore.open(path);
    writer.apply({ nodes: [node], jobs: [job] });
    const reader = SqliteStore.open(path);
    assert.deepEqual(reader.load().jobs.get('j1'), job);
    reader.close();
    writer.close();
  });

  it('keeps committed changes when the writing process is killed before closing', () => {
    const path = freshPath();
    const store = fileURLToPath(new URL('../../src/store/sqlite-store.ts', import.meta.url));
    const script = `
      import { SqliteStore } from ${JSON.stringify(store)};
      const store = SqliteStore.open(${JSON.stringify(path)});
      store.apply({ nodes: [${JSON.stringify(node)}], jobs: [${JSON.stringify(job)}] });
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.ok(existsSync(`${path}-wal`), 'the commit should still be in the WAL only');
    const reopened = SqliteStore.open(path);
    assert.deepEqual(reopened.load().jobs.get('j1'), job);
    reopened.close();
  });

  it('refuses a file that is not a database, naming it and leaving it alone', () => {
    const path = freshPath();
    writeFileSync(path, 'name,host\nalpha,10.0.0.1\n'.repeat(100));
    assert.throws(() => SqliteStore.open(path), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_STORE');
      assert.match(error.message, new RegExp(`^${path} is not a pktgen state database .*--fresh.*--state-dir`));
      return true;
    });
    assert.equal(readFileSync(path, 'utf8'), 'name,host\nalpha,10.0.0.1\n'.repeat(100));
  });

  it("refuses another program's SQLite database without switching it to WAL", () => {
    const path = freshPath();
    const other = new DatabaseSync(path);
    other.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    other.close();
    assert.throws(() => SqliteStore.open(path), { code: 'ERR_STORE', message: new RegExp(`^${path} is not a pktgen state database`) });
    const check = new DatabaseSync(path);
    assert.equal(check.prepare('PRAGMA journal_mode').get()!.journal_mode, 'delete');
    check.close();
  });

  it('refuses a database written by a newer schema version', () => {
    const path = freshPath();
    SqliteStore.open(path).close();
    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA user_version = 99');
    raw.close();
    assert.throws(() => SqliteStore.open(path), { code: 'ERR_STORE', message: /newer pktgen \(schema 99, this one knows 6\)/ });
  });

  it('names the missing folder when the database folder does not exist', () => {
    const path = join(root, 'missing', 'scheduler.db');
    assert.throws(() => SqliteStore.open(path), { code: 'ERR_STORE', message: `cannot open ${path}: folder ${join(root, 'missing')} does not exist; create it or choose another --state-dir` });
  });

  it('keeps a removed node\'s row only while jobs of it are kept: gone at the next open after its last job', () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    store.apply({ nodes: [node, makeNode('beta', 1)], jobs: [job] });
    store.apply({ removedNodes: ['alpha', 'beta'] });
    const rows = () => {
      const raw = new DatabaseSync(path);
      const names = raw.prepare('SELECT name, removed FROM nodes ORDER BY name').all().map((row) => `${row.name}:${row.removed}`);
      raw.close();
      return names;
    };
    // beta had no job: deleted at once; alpha's job j1 still refers to it.
    assert.deepEqual(rows(), ['alpha:1']);
    store.apply({ removedJobs: ['j1'] });
    store.close();
    SqliteStore.open(path).close();
    assert.deepEqual(rows(), []);
  });

  it('writes schema version 6 in WAL mode', () => {
    const path = freshPath();
    SqliteStore.open(path).close();
    const raw = new DatabaseSync(path);
    assert.equal(raw.prepare('PRAGMA user_version').get()!.user_version, 6);
    assert.equal(raw.prepare('PRAGMA journal_mode').get()!.journal_mode, 'wal');
    assert.equal(raw.prepare('PRAGMA page_size').get()!.page_size, 1024);
    raw.close();
  });

  it('opens a version 1 database with its state, and brings it to version 6', () => {
    const path = freshPath();
    const first = SqliteStore.open(path);
    first.apply({ nodes: [node], jobs: [job], files: [{ hash: 'h', path: 'jobs.json', loadedAt: 5, jobCount: 1, run: 1 }] });
    first.close();
    // Version 1 is version 6 without the nodes' legacy, down_since and removed columns, the files' run
    // and job_ids, and the jobs' run, late and expect, plus the (node, state) index, on SQLite's default 4 KiB pages.
    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL');
    raw.exec(`ALTER TABLE nodes DROP COLUMN legacy; ALTER TABLE nodes DROP COLUMN down_since; ALTER TABLE nodes DROP COLUMN removed;
      ALTER TABLE files DROP COLUMN run; ALTER TABLE files DROP COLUMN job_ids; ALTER TABLE jobs DROP COLUMN run; ALTER TABLE jobs DROP COLUMN late; ALTER TABLE jobs DROP COLUMN expect;
      CREATE INDEX jobs_by_node_state ON jobs (node, state); PRAGMA user_version = 1`);
    raw.close();
    const upgraded = SqliteStore.open(path);
    // Its expectations went with the column: version 1 had none.
    const { expect: _dropped, ...v1Job } = job;
    assert.deepEqual(upgraded.load(), { nodes: new Map([['alpha', node]]), jobs: new Map([['j1', v1Job]]), nextSeq: 2 });
    // A file recorded before runs were counted: its first run, whose jobs are not known.
    assert.deepEqual(upgraded.findFile('h'), { hash: 'h', path: 'jobs.json', loadedAt: 5, jobCount: 1, run: 1 });
    upgraded.apply({ jobs: [{ ...job, state: 'failed' }] });
    upgraded.close();
    const check = new DatabaseSync(path);
    assert.equal(check.prepare('PRAGMA user_version').get()!.user_version, 6);
    assert.deepEqual(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'jobs_by_node_state'").all(), []);
    assert.equal(check.prepare("SELECT state FROM jobs WHERE id = 'j1'").get()!.state, 'failed');
    assert.equal(check.prepare('PRAGMA page_size').get()!.page_size, 4096);
    check.close();
  });
});

describe('SqliteStore: schema version 5 (runs and late results)', () => {
  it('gives a job queued to run again its next run number, and every other job run 1', () => {
    const path = freshPath();
    const first = SqliteStore.open(path);
    const jobs = [
      makeJob('retry', 'alpha', 1, { attempts: 1 }),
      makeJob('new', 'alpha', 2),
      makeJob('out', 'alpha', 3, { state: 'sent', attempts: 1, sends: 1 }),
      finishedJob('done', 'alpha', 4),
    ];
    first.apply({ nodes: [makeNode('alpha', 0)], jobs });
    first.close();
    const raw = new DatabaseSync(path);
    raw.exec('ALTER TABLE jobs DROP COLUMN run; ALTER TABLE jobs DROP COLUMN late; ALTER TABLE jobs DROP COLUMN expect; PRAGMA user_version = 4');
    raw.close();
    const upgraded = SqliteStore.open(path);
    const runs = [...upgraded.load().jobs.values()].map((job) => `${job.id}:${job.run}`);
    // The sent job's run went out under the job's own id: its statuses must still match run 1.
    assert.deepEqual(runs, ['retry:2', 'new:1', 'out:1', 'done:1']);
    upgraded.close();
  });
});

describe('SqliteStore: schema version 6 (expectations)', () => {
  it('keeps a job\'s expectations as written; a version 5 database loads with none, and a bad one is reported', () => {
    const path = freshPath();
    const first = SqliteStore.open(path);
    first.apply({ nodes: [makeNode('alpha', 0)], jobs: [finishedJob('done', 'alpha', 1), makeJob('bad', 'alpha', 2, { expect: { maxLossPct: 1 } })] });
    first.close();
    const raw = new DatabaseSync(path);
    assert.equal(raw.prepare("SELECT expect FROM jobs WHERE id = 'done'").get()!.expect, '{"max_loss":"0.1%","min_rate":"99%"}');
    raw.exec(`UPDATE jobs SET expect = '{"max_loss": "lots"}' WHERE id = 'bad'`);
    raw.close();
    const reopened = SqliteStore.open(path);
    const skipped: string[] = [];
    const state = reopened.load((row) => skipped.push(`${row.table} ${row.key}: ${row.why}`));
    assert.deepEqual(state.jobs.get('done')!.expect, { maxLossPct: 0.1, minRatePct: 99 });
    assert.deepEqual(skipped, ['jobs bad: expect: expect.max_loss = "lots": expected a loss 0%..100%: a number and a unit, % (e.g. 0.1%)']);
    reopened.close();
    const old = new DatabaseSync(path);
    old.exec("DELETE FROM jobs WHERE id = 'bad'; ALTER TABLE jobs DROP COLUMN expect; PRAGMA user_version = 5");
    old.close();
    const upgraded = SqliteStore.open(path);
    assert.equal(upgraded.load().jobs.get('done')!.expect, undefined);
    upgraded.close();
  });
});

describe('openStore', () => {
  it('creates the state folder, keeps state across opens, and starts over when fresh', () => {
    const dir = join(root, 'state', 'nested');
    const first = openStore(dir, { fresh: false });
    first.apply({ nodes: [makeNode('alpha', 0)], jobs: [makeJob('j1', 'alpha', 1)] });
    first.close();
    assert.ok(existsSync(join(dir, STORE_FILE)));
    const again = openStore(dir, { fresh: false });
    assert.equal(again.load().jobs.size, 1);
    again.close();
    const fresh = openStore(dir, { fresh: true });
    assert.deepEqual(fresh.load(), { nodes: new Map(), jobs: new Map(), nextSeq: 0 });
    fresh.close();
  });

  it('starts over when fresh even over a file that is not a database', () => {
    const dir = join(root, 'garbage');
    openStore(dir, { fresh: false }).close();
    writeFileSync(join(dir, STORE_FILE), 'garbage');
    assert.throws(() => openStore(dir, { fresh: false }), { code: 'ERR_STORE' });
    openStore(dir, { fresh: true }).close();
  });

  it('names the file that stands where a state folder should be (exit 2)', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, '');
    for (const dir of [blocker, join(blocker, 'state')]) {
      assert.throws(() => openStore(dir, { fresh: false }), (error: UserError) => {
        assert.equal(error.code, 'ERR_STORE');
        assert.equal(error.exitCode, 2);
        assert.equal(error.message, `state folder ${dir}: ${blocker} is not a folder; choose another --state-dir`);
        return true;
      });
    }
  });

  it('refuses a state folder that cannot be made at once, where a recursive mkdir would spin (/proc/x)', () => {
    assert.throws(() => openStore('/proc/pktgen-test/state', { fresh: false }), (error: UserError) => {
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^cannot prepare state folder \/proc\/pktgen-test\/state \(ENOENT: .*mkdir '\/proc\/pktgen-test'\); choose another --state-dir$/);
      return true;
    });
  });
});

describe('SqliteStore: a malformed row is passed over and reported, the rest loads', () => {
  it('skips bad JSON, an unknown state or health, a bad data field, and the jobs of a skipped node, naming table, key and why', () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    const good = makeJob('j-good', 'alpha', 2);
    store.apply({
      nodes: [makeNode('alpha', 0), makeNode('broken', 1)],
      jobs: [good, makeJob('j-json', 'alpha', 3), makeJob('j-state', 'alpha', 4), makeJob('j-data', 'alpha', 5), finishedJob('j-stats', 'alpha', 6), makeJob('j-orphan', 'broken', 7)],
    });
    store.close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA ignore_check_constraints = 1');
    db.exec(`UPDATE jobs SET data = '{"m": 10, ' WHERE id = 'j-json';
             UPDATE jobs SET state = 'exploded' WHERE id = 'j-state';
             UPDATE jobs SET data = '{"m": 10, "t": 0, "s_min": 64}' WHERE id = 'j-data';
             UPDATE jobs SET stats = '[1, 2]' WHERE id = 'j-stats';
             UPDATE nodes SET health = 'sideways' WHERE name = 'broken';`);
    db.close();
    const reopened = SqliteStore.open(path);
    const skipped: SkippedRow[] = [];
    const state = reopened.load((row) => skipped.push(row));
    reopened.close();
    assert.deepEqual([...state.nodes.keys()], ['alpha']);
    assert.deepEqual([...state.jobs.keys()], ['j-good']);
    assert.deepEqual(state.jobs.get('j-good'), good);
    assert.equal(state.nextSeq, 8, 'seqs stay past every row, skipped ones included');
    assert.deepEqual(skipped.map((row) => [row.table, row.key]), [['nodes', 'broken'], ['jobs', 'j-json'], ['jobs', 'j-state'], ['jobs', 'j-data'], ['jobs', 'j-stats'], ['jobs', 'j-orphan']]);
    const why = Object.fromEntries(skipped.map((row) => [row.key, row.why]));
    assert.equal(why.broken, 'health = "sideways": expected one of unknown, up, down');
    assert.match(why['j-json']!, /^data = "\{\\"m\\": 10, ": expected JSON \(/);
    assert.equal(why['j-state'], 'state = "exploded": expected one of pending, sent, running, succeeded, failed, lost, cancelled');
    assert.equal(why['j-data'], 'data: t = 0: expected an integer duration 1..3600 s');
    assert.equal(why['j-stats'], 'stats: [1,2]: expected an object of statistics');
    assert.equal(why['j-orphan'], 'its node broken was passed over');
  });
});
