import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, STORE_FILE } from '../../src/store/index.js';
import { makeJob, makeNode } from './records.js';

const NOBODY = 65534;
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('openStore: state only this user can read or change', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pktgen-state-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes the folder 0700 and the database, its WAL and shared memory 0600, whatever the umask', () => {
    const dir = join(root, 'state');
    const saved = process.umask(0);
    try {
      const store = openStore(dir, { fresh: false });
      store.apply({ nodes: [makeNode('alpha', 0)], jobs: [makeJob('j1', 'alpha', 1)] });
      assert.equal(mode(dir), 0o700);
      for (const suffix of ['', '-wal', '-shm']) assert.equal(mode(join(dir, STORE_FILE) + suffix), 0o600, `${STORE_FILE}${suffix}`);
      store.close();
    } finally {
      process.umask(saved);
    }
  });

  it('makes an older 0755 folder and 0644 database private, keeping their state', () => {
    const dir = join(root, 'old');
    openStore(dir, { fresh: false }).close();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, STORE_FILE), 0o644);
    const store = openStore(dir, { fresh: false });
    store.close();
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, STORE_FILE)), 0o600);
  });

  const refusals: Array<{ name: string; setup: (dir: string) => string; message: (path: string) => RegExp }> = [
    {
      name: 'a state folder writable by group or others',
      setup: (dir) => (chmodSync(dir, 0o777), dir),
      message: (path) => new RegExp(`^${path} is writable by group or others \\(mode 0777\\), so another user could change the scheduler's state: run \`chmod 700 ${path}\`, or choose another --state-dir$`),
    },
    {
      name: 'a world-writable database',
      setup: (dir) => (chmodSync(join(dir, STORE_FILE), 0o666), join(dir, STORE_FILE)),
      message: (path) => new RegExp(`^${path} is writable by group or others \\(mode 0666\\).*run \`chmod 600 ${path}\``),
    },
    {
      name: 'a WAL planted beside the database',
      setup: (dir) => (writeFileSync(join(dir, `${STORE_FILE}-wal`), 'x', { mode: 0o622 }), chmodSync(join(dir, `${STORE_FILE}-wal`), 0o622), join(dir, `${STORE_FILE}-wal`)),
      message: (path) => new RegExp(`^${path} is writable by group or others.*chmod 600`),
    },
  ];
  const asRoot: typeof refusals = [
    {
      name: 'a state folder owned by another user',
      setup: (dir) => (chownSync(dir, NOBODY, NOBODY), dir),
      message: (path) => new RegExp(`^${path} is owned by uid 65534, not by uid 0 that pktgen runs as.*run \`chown 0 ${path}\` if you trust what it holds, or choose another --state-dir$`),
    },
    {
      name: 'a world-writable database owned by another user',
      setup: (dir) => {
        const db = join(dir, STORE_FILE);
        chownSync(db, NOBODY, NOBODY);
        chmodSync(db, 0o666);
        return db;
      },
      message: (path) => new RegExp(`^${path} is owned by uid 65534.*chown 0 ${path}`),
    },
  ];
  for (const [index, c] of [...refusals, ...asRoot].entries()) {
    it(`refuses ${c.name} with the command that fixes it (exit 2), and changes nothing`, function () {
      if (index >= refusals.length && process.getuid?.() !== 0) return this.skip(); // chown needs root
      const dir = join(root, 'state');
      mkdirSync(dir);
      openStore(dir, { fresh: false }).close();
      const path = c.setup(dir);
      const before = statSync(path);
      assert.throws(() => openStore(dir, { fresh: false }), (error: Error & { code: string; exitCode: number }) => {
        assert.equal(error.code, 'ERR_STATE_UNSAFE');
        assert.equal(error.exitCode, 2);
        assert.match(error.message, c.message(path));
        return true;
      });
      const after = statSync(path);
      assert.deepEqual([after.mode, after.uid], [before.mode, before.uid]);
    });
  }
});
