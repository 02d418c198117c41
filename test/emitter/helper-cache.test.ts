import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { EMITTER_NAME, extractEmitter, HelperCache } from '../../src/emitter/helper-path.js';
import type { PktgenError } from '../../src/errors.js';

// Another user, as the attack report had it: folders and files owned by `nobody`.
const NOBODY = 65534;
const ours = new TextEncoder().encode('#!/bin/sh\necho ours\n');
const hashFolder = createHash('sha256').update(ours).digest('hex').slice(0, 16);

describe('helper cache: nothing another user can plant (as root, with files owned by nobody)', () => {
  let shared: string; // a shared temp folder, like /tmp: root's, 1777
  let marker: string;
  const uid = 0;

  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // chown to another user needs root
  });
  beforeEach(async () => {
    shared = await mkdtemp(join(tmpdir(), 'pktgen-shared-'));
    await chmod(shared, 0o1777);
    marker = join(shared, 'planted-helper-ran');
  });
  afterEach(() => rm(shared, { recursive: true, force: true }));

  /** `folder` made by nobody with mode 777, holding a planted helper where ours would go. */
  async function plant(folder: string): Promise<string> {
    const file = join(folder, hashFolder, EMITTER_NAME);
    await mkdir(join(folder, hashFolder), { recursive: true });
    await writeFile(file, `#!/bin/sh\ntouch ${marker}\necho planted\n`);
    for (const path of [folder, join(folder, hashFolder), file]) {
      await chown(path, NOBODY, NOBODY);
      await chmod(path, 0o777);
    }
    return file;
  }

  const noHome = (env: Record<string, string> = {}) => ({ env, homedir: '', tmpdir: shared, uid });

  it('passes over pktgen-UID and pktgen/ pre-created by another user (777) for a private folder, and runs only its own file', async () => {
    await plant(join(shared, `pktgen-${uid}`));
    await plant(join(shared, 'pktgen'));
    const notices: string[] = [];
    const path = await new HelperCache(noHome(), (text) => notices.push(text)).path(ours);
    assert.match(path, new RegExp(`^${shared}/pktgen-0-\\w{6}/${hashFolder}/${EMITTER_NAME}$`));
    assert.equal((await execa(path)).stdout, 'ours');
    assert.equal(existsSync(marker), false, 'the planted helper must never run');
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, new RegExp(`not using ${shared}/pktgen-0 \\(${shared}/pktgen-0 is owned by uid 65534.*removed at exit`));
    const folder = await stat(join(path, '..', '..'));
    assert.equal(folder.mode & 0o777, 0o700);
  });

  it('passes over a link planted under its name', async () => {
    const elsewhere = join(shared, 'elsewhere');
    await plant(elsewhere);
    await symlink(elsewhere, join(shared, `pktgen-${uid}`));
    const path = await new HelperCache(noHome()).path(ours);
    assert.equal((await execa(path)).stdout, 'ours');
    assert.ok(!path.startsWith(elsewhere));
    assert.equal(existsSync(marker), false);
  });

  it('refuses an explicit PKTGEN_CACHE_DIR another user owns, naming the fix', async () => {
    const cache = join(shared, 'cache');
    await plant(cache);
    await assert.rejects(new HelperCache(noHome({ PKTGEN_CACHE_DIR: cache })).path(ours), (error: PktgenError) => {
      assert.equal(error.code, 'ERR_EMITTER_CACHE_UNSAFE');
      assert.match(error.message, new RegExp(`${cache} is owned by uid 65534, not by uid 0.*Fix: .chown 0 ${cache}..*PKTGEN_CACHE_DIR`));
      return true;
    });
    assert.equal(existsSync(marker), false);
  });

  it('refuses a cache below a folder others may write (no sticky bit), even one of its own inside', async () => {
    const open = join(shared, 'open');
    await mkdir(join(open, 'cache'), { recursive: true });
    await chmod(open, 0o777);
    await assert.rejects(extractEmitter(ours, join(open, 'cache'), uid), (error: PktgenError) => {
      assert.equal(error.code, 'ERR_EMITTER_CACHE_UNSAFE');
      assert.match(error.message, new RegExp(`${open} is writable by group or others \\(mode 0777\\) without the sticky bit.*chmod go-w ${open}`));
      return true;
    });
  });

  it('refuses a hash folder swapped in by another user inside its own cache', async () => {
    const cache = join(shared, 'cache');
    await mkdir(cache, { mode: 0o700 });
    await plant(cache);
    await chmod(cache, 0o700);
    await chown(cache, 0, 0);
    await assert.rejects(extractEmitter(ours, cache, uid), { code: 'ERR_EMITTER_CACHE_UNSAFE' });
    assert.equal(existsSync(marker), false);
  });

  it('checks again before every run: a changed file is written anew, an unsafe folder is passed over', async () => {
    const cache = new HelperCache(noHome());
    const path = await cache.path(ours);
    await writeFile(path, '#!/bin/sh\necho damaged\n'); // same owner, another content (and size)
    assert.equal(await cache.path(ours), path);
    assert.equal((await execa(path)).stdout, 'ours');
    // The cache folder turns another user's (root could do that): the next run does not use it.
    assert.equal(join(path, '..', '..'), join(shared, 'pktgen-0'));
    await chown(join(shared, 'pktgen-0'), NOBODY, NOBODY);
    await chmod(join(shared, 'pktgen-0'), 0o777);
    await assert.rejects(cache.path(ours), { code: 'ERR_EMITTER_CACHE_UNSAFE' });
    const again = await cache.path(ours);
    assert.notEqual(again, path);
    assert.equal((await execa(again)).stdout, 'ours');
  });

  it('with no safe folder at all, refuses and says to set PKTGEN_CACHE_DIR', async () => {
    await chmod(shared, 0o777); // a shared temp folder without the sticky bit
    await assert.rejects(new HelperCache(noHome()).path(ours), (error: PktgenError) => {
      assert.equal(error.code, 'ERR_EMITTER_CACHE_UNSAFE');
      assert.match(error.message, /without the sticky bit.*Set PKTGEN_CACHE_DIR/);
      return true;
    });
    assert.deepEqual(await readdir(shared), []);
  });
});
