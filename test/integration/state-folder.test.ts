import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { execa, type ResultPromise } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

/** `pktgen schedule` on free ports with `stateDir`, bounded: a scheduler that starts is stopped after `ms`. */
function schedule(stateDir: string, extra: string[] = [], ms = 3000) {
  return execa(PKTGEN, ['schedule', '--host', '127.0.0.1', '--port', '0', '--control-port', '0', '--state-dir', stateDir, ...extra], {
    reject: false, all: true, env: pktgenEnv(), timeout: ms, killSignal: 'SIGTERM',
  });
}

describe('pktgen schedule (built binary): a state folder it cannot use is a start-up error, a malformed row is not', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-state-folder-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--state-dir /proc/x: exit 2 at once, naming the folder (it used to spin at 100 % CPU)', async () => {
    const result = await schedule('/proc/pktgen-x');
    assert.equal(result.timedOut, false, 'it must not hang');
    assert.equal(result.exitCode, 2, result.all);
    assert.equal(result.stderr, "Error: cannot prepare state folder /proc/pktgen-x (ENOENT: no such file or directory, mkdir '/proc/pktgen-x'); choose another --state-dir");
  });

  it('a file where the folder should be: exit 2, naming it', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const result = await schedule(join(file, 'state'));
    assert.equal(result.exitCode, 2, result.all);
    assert.equal(result.stderr, `Error: state folder ${join(file, 'state')}: ${file} is not a folder; choose another --state-dir`);
  });

  describe('on a tmpfs of its own (a private mount namespace; needs root)', () => {
    let holder: ResultPromise | undefined;
    let mnt: string;
    before(async function () {
      if (process.getuid?.() !== 0) this.skip();
      mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      holder = execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m,mode=0700 tmpfs "$0" && echo mounted && exec sleep 120', mnt], { reject: false });
      await waitForOutput(holder, /mounted/);
    });
    after(async () => {
      holder?.kill('SIGKILL');
      await holder;
    });
    const inside = (file: string, args: string[], timeoutMs = 3000) =>
      execa('nsenter', ['-t', String(holder!.pid), '-m', '--', file, ...args], { reject: false, all: true, env: pktgenEnv(), timeout: timeoutMs, killSignal: 'SIGTERM' });
    const scheduleInside = (stateDir: string) => inside(PKTGEN, ['schedule', '--host', '127.0.0.1', '--port', '0', '--control-port', '0', '--state-dir', stateDir]);

    it('a read-only mount: exit 2, saying what is read-only (it used to start and loop on "cannot save")', async () => {
      const state = join(mnt, 'ro');
      const first = await scheduleInside(state);
      assert.match(first.all ?? '', /pktgen scheduler listening/, 'a first start makes the database');
      assert.equal((await inside('mount', ['-o', 'remount,ro', mnt])).exitCode, 0);
      try {
        const result = await scheduleInside(state);
        assert.equal(result.exitCode, 2, result.all);
        assert.match(result.stderr, new RegExp(`^Error: state folder ${state} cannot be written \\(EROFS: read-only file system, access '${state}'\\); choose another --state-dir$`));
      } finally {
        await inside('mount', ['-o', 'remount,rw', mnt]);
      }
    });

    it('a full disk: exit 2, saying the disk is full', async () => {
      const state = join(mnt, 'full');
      assert.match((await scheduleInside(state)).all ?? '', /pktgen scheduler listening/);
      await inside('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=64k']);
      try {
        const result = await scheduleInside(state);
        assert.equal(result.exitCode, 2, result.all);
        assert.match(result.stderr, new RegExp(`^Error: cannot (open|write) ${state}/scheduler\\.db \\((database or disk is full|disk I/O error)\\): the disk (is full|failed a write or is full); .*or choose another --state-dir$`));
      } finally {
        await inside('rm', [join(mnt, 'fill')]);
      }
    });
  });

  it('a malformed row is passed over and reported (table, key, why); the scheduler starts with the rest', async () => {
    const state = join(dir, 'state');
    const nodes = join(dir, 'nodes.json');
    const jobs = join(dir, 'jobs.json');
    // Nobody listens at port 1: the jobs stay queued, which is all this test needs.
    writeFileSync(nodes, JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: 1 }] }));
    writeFileSync(jobs, JSON.stringify({ jobs: [0, 1, 2].map((i) => ({ nodes: ['m0'], priority: i, data: { m: 1, t: 1, s_min: 64 } })) }));
    const first = await schedule(state, ['-n', nodes, '-j', jobs]);
    assert.match(first.all ?? '', /queued 3 job/);
    const db = new DatabaseSync(join(state, 'scheduler.db'));
    const ids = db.prepare('SELECT id FROM jobs ORDER BY seq').all().map((row) => row.id as string);
    db.prepare("UPDATE jobs SET data = '{\"m\": 1, \"t\": ' WHERE id = ?").run(ids[1]!);
    db.close();
    const controlPort = await freePort();
    const again = spawnPktgen(['schedule', '--host', '127.0.0.1', '--port', '0', '--control-port', String(controlPort), '--state-dir', state]);
    try {
      const log = await waitForOutput(again, /pktgen scheduler listening/);
      assert.match(log, new RegExp(`WARN  passed over a malformed row of the scheduler's jobs table \\(job ${ids[1]}\\): data = "\\{\\\\"m\\\\": 1, \\\\"t\\\\": ": expected JSON \\(.*\\); it stays in the database as it is`));
      assert.match(log, /resumed with 2 queued/);
      const status = await execa(PKTGEN, ['status', '--json', '--scheduler', `127.0.0.1:${controlPort}`], { reject: false, env: pktgenEnv() });
      assert.deepEqual((JSON.parse(status.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id), [ids[0], ids[2]]);
    } finally {
      again.kill('SIGTERM');
      await again;
    }
  });
});
