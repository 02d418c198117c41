import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { makeKeyFile } from '../helpers/key.js';

describe('cluster key on the built binary: keygen, creation by schedule, refusals', function () {
  this.timeout(60_000);
  let dir: string;
  before(requireBinary);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pktgen-keybin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** pktgen with HOME in the test folder and no key named: the default path is dir/home/.config/pktgen/cluster.key. */
  const env = () => pktgenEnv({ HOME: join(dir, 'home'), PKTGEN_KEY_FILE: '', XDG_CONFIG_HOME: '' });
  const pktgen = (...args: string[]) => execa(PKTGEN, args, { reject: false, env: env() });

  it('keygen writes a 0600 file of 64 hex digits, prints where and never what, and replaces it only with --force', async () => {
    const file = join(dir, 'lab.key');
    const made = await pktgen('keygen', '--out', file);
    assert.equal(made.exitCode, 0, made.stderr);
    assert.equal(made.stdout, `wrote a new cluster key to ${file} (mode 0600); copy this file to every host that runs pktgen`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const key = readFileSync(file, 'utf8');
    assert.match(key, /^[0-9a-f]{64}\n$/);
    const again = await pktgen('keygen', '--out', file);
    assert.equal(again.exitCode, 2);
    assert.match(again.stderr, /already exists: keep it, or replace it with pktgen keygen --force/);
    assert.equal(readFileSync(file, 'utf8'), key);
    const forced = await pktgen('keygen', '--out', file, '--force');
    assert.equal(forced.exitCode, 0, forced.stderr);
    assert.notEqual(readFileSync(file, 'utf8'), key);
    const byDefault = await pktgen('keygen');
    assert.equal(byDefault.exitCode, 0);
    assert.equal(statSync(join(dir, 'home', '.config', 'pktgen', 'cluster.key')).mode & 0o777, 0o600);
  });

  it('schedule with no key creates one at the default path, logs the path and not the key; status there finds it', async () => {
    const control = await freePort();
    const schedule = spawnPktgen(['schedule', '--host', '127.0.0.1', '--port', String(await freePort()), '--control-port', String(control), '--state-dir', join(dir, 'state')], env());
    try {
      const log = await waitForOutput(schedule, /pktgen scheduler listening on/);
      const path = join(dir, 'home', '.config', 'pktgen', 'cluster.key');
      assert.match(log, new RegExp(`created a new cluster key at ${path} \\(mode 0600\\): copy this file to every host`));
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const key = readFileSync(path, 'utf8').trim();
      const status = await pktgen('status', '--json', '--scheduler', `127.0.0.1:${control}`);
      assert.equal(status.exitCode, 0, status.stderr);
      assert.deepEqual(JSON.parse(status.stdout), { nodes: [], jobs: [], searches: [], store: { ok: true } });
      schedule.kill('SIGTERM');
      const { all } = await schedule;
      assert.ok(!all.includes(key) && !all.includes(key.slice(0, 16)), 'the key is in the log');
    } finally {
      schedule.kill('SIGKILL');
    }
  });

  it('serve refuses a 0644 key file with the chmod that fixes it, before it listens', async () => {
    const file = makeKeyFile();
    chmodSync(file, 0o644);
    const serve = await execa(PKTGEN, ['serve', '--host', '127.0.0.1', '--port', String(await freePort()), '--reflect-port', '0'], { reject: false, env: pktgenEnv({ PKTGEN_KEY_FILE: file }) });
    assert.equal(serve.exitCode, 2);
    assert.equal(serve.stderr, `Error: cluster key ${file} is open to group or others (mode 0644); a cluster key must be private to its user: run chmod 600 ${file}`);
  });

  it('schedule refuses a symbolic link to a good key, naming the file to pass instead', async () => {
    const file = makeKeyFile();
    const link = join(dir, 'link.key');
    symlinkSync(file, link);
    const schedule = await pktgen('schedule', '--key-file', link, '--state-dir', join(dir, 'state'));
    assert.equal(schedule.exitCode, 2);
    assert.match(schedule.stderr, new RegExp(`is a symbolic link \\(to ${file}\\).*--key-file ${file}$`));
  });
});
