import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { keygen, keyLocation, loadClusterKey, type ClusterKey } from '../../src/security/key.js';

const HEX = 'c0ffee00'.repeat(8);
const uid = process.geteuid!();

/** Fails unless `promise` rejects with a UserError (exit 2) whose message matches every pattern. */
async function refused(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  const error = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(error instanceof UserError, String(error));
  assert.equal(error.exitCode, 2);
  for (const pattern of patterns) assert.match(error.message, pattern);
  return error.message;
}

/** Two keys are the same when they MAC alike. */
const sameKey = (a: ClusterKey, b: ClusterKey) => a.hmac('t').equals(b.hmac('t'));

describe('cluster key: where it is looked for', () => {
  const home = '/home/u';
  const cases: Array<[string, { keyFile?: string; env: Record<string, string> }, string, string]> = [
    ['--key-file first', { keyFile: 'k.key', env: { PKTGEN_KEY_FILE: '/e.key', XDG_CONFIG_HOME: '/x' } }, 'k.key', 'flag'],
    ['then $PKTGEN_KEY_FILE', { env: { PKTGEN_KEY_FILE: '/e.key', XDG_CONFIG_HOME: '/x' } }, '/e.key', 'env'],
    ['then an absolute $XDG_CONFIG_HOME', { env: { XDG_CONFIG_HOME: '/x' } }, '/x/pktgen/cluster.key', 'default'],
    ['a relative $XDG_CONFIG_HOME is ignored', { env: { XDG_CONFIG_HOME: 'rel' } }, '/home/u/.config/pktgen/cluster.key', 'default'],
    ['empty variables count as unset', { keyFile: '', env: { PKTGEN_KEY_FILE: '', XDG_CONFIG_HOME: '' } }, '/home/u/.config/pktgen/cluster.key', 'default'],
    ['else ~/.config', { env: {} }, '/home/u/.config/pktgen/cluster.key', 'default'],
  ];
  for (const [what, options, path, from] of cases) {
    it(`${what}: ${path}`, () => assert.deepEqual(keyLocation({ ...options, homedir: home }), { path, from }));
  }

  it('with no home folder and nothing named, says what to pass', () => {
    assert.throws(() => keyLocation({ env: {}, homedir: '' }), /no home folder .*--key-file FILE or set PKTGEN_KEY_FILE/);
  });
});

describe('cluster key files', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pktgen-keytest-'));
    file = join(dir, 'cluster.key');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (options: { keyFile?: string; create?: boolean; env?: Record<string, string>; uid?: number } = {}) =>
    loadClusterKey({ keyFile: file, env: {}, homedir: join(dir, 'home'), create: false, ...options });
  const write = (text: string, mode = 0o600) => {
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
  };

  for (const [what, text] of [['with a newline', `${HEX}\n`], ['without one', HEX], ['with CRLF', `${HEX}\r\n`], ['in capitals', `${HEX.toUpperCase()}\n`]]) {
    it(`reads a 0600 file of 64 hex digits ${what}`, async () => {
      write(text!);
      const key = await load();
      assert.equal(key.source, file);
      assert.equal(key.created, false);
    });
  }

  it('reads a 0400 file', async () => {
    write(HEX, 0o400);
    await load();
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o610]) {
    it(`refuses mode ${mode.toString(8)} with the chmod that fixes it`, async () => {
      write(HEX, mode);
      await refused(load(), new RegExp(`open to group or others \\(mode 0${mode.toString(8)}\\)`), new RegExp(`run chmod 600 ${file}$`));
    });
  }

  it("refuses a file of another user (an injected uid) with the chown that fixes it", async () => {
    write(HEX);
    await refused(load({ uid: uid + 4242 }), new RegExp(`belongs to uid ${uid}, not to the user running pktgen \\(uid ${uid + 4242}\\)`), /run chown \S+ /);
  });

  it('refuses a file chowned to nobody, and says chown and chmod together when both are wrong', async function () {
    if (uid !== 0) this.skip();
    write(HEX, 0o644);
    chownSync(file, 65534, 65534);
    await refused(load(), /belongs to uid 65534, .* and is open to group or others \(mode 0644\)/, new RegExp(`run chown root ${file} && chmod 600 ${file}$`));
  });

  it('quotes a path with spaces in the fix', async () => {
    file = join(dir, 'my key');
    write(HEX, 0o644);
    await refused(load(), new RegExp(`chmod 600 '${dir}/my key'`));
  });

  const malformed: Array<[string, string]> = [
    ['63 digits', HEX.slice(1)], ['65 digits', `${HEX}a`], ['not hex', `${'s3cr3tpw'.repeat(8)}`],
    ['two lines', `${HEX}\n${HEX}\n`], ['empty', ''], ['a long file', 'x'.repeat(10_000)], ['spaces around', ` ${HEX} `],
  ];
  for (const [what, text] of malformed) {
    it(`refuses ${what}, naming the file and never echoing its content`, async () => {
      write(text);
      const message = await refused(load(), new RegExp(`^cluster key ${file} is not a cluster key: expected one line of 64 hexadecimal characters`));
      for (let i = 0; i + 6 <= text.trim().length; i++) assert.ok(!message.includes(text.trim().slice(i, i + 6)), `message contains content: ${message}`);
    });
  }

  it('refuses a symbolic link, naming its target as the file to pass, even to a good key', async () => {
    const real = join(dir, 'real.key');
    writeFileSync(real, HEX, { mode: 0o600 });
    symlinkSync(real, file);
    await refused(load(), /is a symbolic link \(to .*real\.key\).*--key-file \S*real\.key$/);
  });

  it('refuses a dangling symbolic link at the default path, and creates no key through it', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'pktgen'), { recursive: true });
    const planted = join(dir, 'planted.key');
    symlinkSync(planted, join(home, '.config', 'pktgen', 'cluster.key'));
    await refused(loadClusterKey({ env: {}, homedir: home, create: true }), /is a symbolic link that points nowhere/);
    assert.equal(existsSync(planted), false);
  });

  it('refuses a folder and a FIFO as not a regular file (without hanging on the FIFO)', async () => {
    mkdirSync(file);
    await refused(load(), /is not a regular file/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    await refused(load({ keyFile: fifo }), /is not a regular file/);
  });

  it('a named file that is missing is not created, even by serve or schedule', async () => {
    await refused(load({ create: true }), new RegExp(`no cluster key at ${file} \\(--key-file\\); make one with pktgen keygen --out ${file}`));
    await refused(load({ keyFile: undefined, env: { PKTGEN_KEY_FILE: file }, create: true }), /\(\$PKTGEN_KEY_FILE\)/);
    assert.equal(existsSync(file), false);
  });

  it('submit and status finding no key say where they looked and how to get the scheduler\'s', async () => {
    const home = join(dir, 'home');
    await refused(loadClusterKey({ env: {}, homedir: home, create: false }),
      new RegExp(`^no cluster key: --key-file not given, \\$PKTGEN_KEY_FILE not set, and no file at ${home}/\\.config/pktgen/cluster\\.key; copy the scheduler's key file there .* or pass --key-file FILE$`));
    await refused(loadClusterKey({ env: { XDG_CONFIG_HOME: join(dir, 'xdg') }, homedir: home, create: false }), new RegExp(`no file at ${dir}/xdg/pktgen/cluster\\.key`));
  });

  it('serve and schedule create the key at the default path: 0600 in a 0700 folder, then read the same one', async () => {
    const home = join(dir, 'home');
    const created = await loadClusterKey({ env: {}, homedir: home, create: true });
    const path = join(home, '.config', 'pktgen', 'cluster.key');
    assert.equal(created.created, true);
    assert.equal(created.source, path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.config', 'pktgen')).mode & 0o777, 0o700);
    assert.match(readFileSync(path, 'utf8'), /^[0-9a-f]{64}\n$/);
    const again = await loadClusterKey({ env: {}, homedir: home, create: true });
    assert.equal(again.created, false);
    assert.ok(sameKey(created, again));
  });

  it('concurrent creators end with one key, all reading it, and leave no temporary file', async () => {
    const home = join(dir, 'home');
    const keys = await Promise.all(Array.from({ length: 12 }, () => loadClusterKey({ env: {}, homedir: home, create: true })));
    assert.equal(keys.filter((k) => k.created).length, 1);
    for (const key of keys) assert.ok(sameKey(key, keys[0]!));
    assert.deepEqual(readdirSync(join(home, '.config', 'pktgen')), ['cluster.key']);
  });

  it('keygen writes a 0600 key, refuses to replace it without --force, and replaces it with', async () => {
    const path = await keygen({ out: file, force: false });
    assert.equal(path, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const first = readFileSync(file, 'utf8');
    await refused(keygen({ out: file, force: false }), /already exists: keep it, or replace it with pktgen keygen --force/);
    assert.equal(readFileSync(file, 'utf8'), first);
    await keygen({ out: file, force: true });
    assert.notEqual(readFileSync(file, 'utf8'), first);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['cluster.key']);
  });

  it('keygen without --out writes where the other commands look', async () => {
    const path = await keygen({ env: { XDG_CONFIG_HOME: join(dir, 'xdg') }, homedir: '/nonexistent', force: false });
    assert.equal(path, join(dir, 'xdg', 'pktgen', 'cluster.key'));
    await loadClusterKey({ env: { XDG_CONFIG_HOME: join(dir, 'xdg') }, homedir: '/nonexistent', create: false });
  });
});
