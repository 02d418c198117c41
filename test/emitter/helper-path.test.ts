import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cacheCandidates, type CacheCandidate } from '../../src/emitter/cache-folder.js';
import {
  EMITTER_NAME,
  extractEmitter,
  findLocalEmitter,
  localCandidates,
  resolveEmitterPath,
} from '../../src/emitter/helper-path.js';
import { PktgenError, UserError } from '../../src/errors.js';

// A tiny "helper" that really runs, so extraction is checked by executing what was written.
const script = (word: string) => new TextEncoder().encode(`#!/bin/sh\necho ${word}\n`);

describe('cacheCandidates', () => {
  const tmp = { dir: '/t/pktgen-1000', within: '/t' };
  const cases: Array<[string, Record<string, string | undefined>, string, CacheCandidate[], boolean]> = [
    ['PKTGEN_CACHE_DIR alone, never replaced', { PKTGEN_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/h', [{ dir: '/c' }], true],
    ['an empty PKTGEN_CACHE_DIR is ignored', { PKTGEN_CACHE_DIR: '', XDG_CACHE_HOME: '/x' }, '/h', [{ dir: '/x/pktgen' }, tmp], false],
    ['$XDG_CACHE_HOME/pktgen, then the temp folder', { XDG_CACHE_HOME: '/x' }, '/h', [{ dir: '/x/pktgen' }, tmp], false],
    ['a relative XDG_CACHE_HOME is invalid and ignored', { XDG_CACHE_HOME: 'rel' }, '/h', [{ dir: '/h/.cache/pktgen', within: '/h' }, tmp], false],
    ['~/.cache/pktgen in an existing home, then the temp folder', {}, '/h', [{ dir: '/h/.cache/pktgen', within: '/h' }, tmp], false],
    ['without a home, a folder per user in the temp folder', {}, '', [tmp], false],
  ];
  for (const [name, env, homedir, dirs, explicit] of cases) {
    it(name, () => assert.deepEqual(cacheCandidates({ env, homedir, tmpdir: '/t', uid: 1000 }), { dirs, explicit }));
  }
});

describe('localCandidates', () => {
  it('from sources: native/build/ then dist/ of the checkout', () => {
    assert.deepEqual(localCandidates('file:///repo/src/emitter/helper-path.ts'), [
      '/repo/native/build/pktgen-emit',
      '/repo/dist/pktgen-emit',
    ]);
  });
  it('from the bundle: next to it, then native/build/ beside its folder', () => {
    assert.deepEqual(localCandidates('file:///opt/pk/dist/pktgen.mjs'), [
      '/opt/pk/dist/pktgen-emit',
      '/opt/pk/native/build/pktgen-emit',
    ]);
  });
});

describe('helper lookup outside the single executable', () => {
  let dir: string;
  const saved = process.env.PKTGEN_EMIT;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pktgen-helper-'));
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.PKTGEN_EMIT;
    else process.env.PKTGEN_EMIT = saved;
    await rm(dir, { force: true, recursive: true });
  });

  it('takes the first executable candidate, skipping missing and non-executable files', async () => {
    const [missing, plain, runnable] = ['a', 'b', 'c'].map((name) => join(dir, name)) as [string, string, string];
    await writeFile(plain, script('plain'), { mode: 0o644 });
    await writeFile(runnable, script('ok'), { mode: 0o755 });
    assert.equal(await findLocalEmitter([missing, plain, runnable]), runnable);
  });

  it('says where it looked and what to do when nothing is built', async () => {
    const candidates = [join(dir, 'x'), join(dir, 'y')];
    await assert.rejects(findLocalEmitter(candidates), (error: PktgenError) => {
      assert.equal(error.code, 'ERR_EMITTER_NOT_FOUND');
      for (const path of candidates) assert.match(error.message, new RegExp(path));
      assert.match(error.message, /npm run build|PKTGEN_EMIT/);
      return true;
    });
  });

  it('uses $PKTGEN_EMIT when set', async () => {
    process.env.PKTGEN_EMIT = join(dir, 'custom');
    await writeFile(process.env.PKTGEN_EMIT, script('custom'), { mode: 0o755 });
    assert.equal(await resolveEmitterPath(), process.env.PKTGEN_EMIT);
  });

  it('rejects a $PKTGEN_EMIT that is not an executable file as a user error', async () => {
    process.env.PKTGEN_EMIT = join(dir, 'nope');
    await assert.rejects(resolveEmitterPath(), (error: UserError) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.code, 'ERR_EMITTER_ENV');
      assert.match(error.message, /PKTGEN_EMIT=.*nope/);
      return true;
    });
  });

  it('without $PKTGEN_EMIT, finds the checkout build or says it is not built', async () => {
    delete process.env.PKTGEN_EMIT;
    const candidates = localCandidates(new URL('../../src/emitter/helper-path.ts', import.meta.url).href);
    try {
      assert.ok(candidates.includes(await resolveEmitterPath()));
    } catch (error) {
      assert.equal((error as PktgenError).code, 'ERR_EMITTER_NOT_FOUND');
    }
  });
});

describe('extractEmitter', () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'pktgen-cache-'));
  });
  afterEach(() => rm(cache, { force: true, recursive: true }));

  it('writes a runnable helper into a folder named by its content hash', async () => {
    const path = await extractEmitter(script('extracted'), cache);
    assert.match(path, new RegExp(`^${cache}/[0-9a-f]{16}/${EMITTER_NAME}$`));
    assert.equal((await stat(path)).mode & 0o777, 0o755);
    assert.equal((await execa(path)).stdout, 'extracted');
  });

  it('reuses an intact copy and replaces a damaged one', async () => {
    const first = await extractEmitter(script('one'), cache);
    const { ino } = await stat(first);
    assert.equal(await extractEmitter(script('one'), cache), first);
    assert.equal((await stat(first)).ino, ino, 'an intact copy is not rewritten');
    await writeFile(first, 'trunc');
    await extractEmitter(script('one'), cache);
    assert.equal((await execa(first)).stdout, 'one');
  });

  it('keeps different helpers apart', async () => {
    const [a, b] = await Promise.all([extractEmitter(script('a'), cache), extractEmitter(script('b'), cache)]);
    assert.notEqual(a, b);
  });

  it('survives concurrent extractions and leaves no temp files', async () => {
    const paths = await Promise.all(Array.from({ length: 8 }, () => extractEmitter(script('same'), cache)));
    assert.equal(new Set(paths).size, 1);
    const [folder] = await readdir(cache);
    assert.deepEqual(await readdir(join(cache, folder!)), [EMITTER_NAME]);
    assert.equal(await readFile(paths[0]!, 'utf8'), '#!/bin/sh\necho same\n');
  });

  it('names the folder and PKTGEN_CACHE_DIR when the cache cannot be written', async () => {
    // Under a regular file no folder can be made: unwritable for root too, unlike chmod.
    const blocked = join(cache, 'file', 'cache');
    await writeFile(join(cache, 'file'), '');
    await assert.rejects(extractEmitter(script('x'), blocked), (error: PktgenError) => {
      assert.equal(error.code, 'ERR_EMITTER_CACHE_UNWRITABLE');
      assert.match(error.message, new RegExp(blocked));
      assert.match(error.message, /PKTGEN_CACHE_DIR/);
      return true;
    });
  });

  it('fails instead of hanging where folders cannot be made (under /proc)', async () => {
    await assert.rejects(extractEmitter(script('x'), '/proc/pktgen-no-such-folder'), (error: PktgenError) => {
      assert.equal(error.code, 'ERR_EMITTER_CACHE_UNWRITABLE');
      return true;
    });
  });

  it('creates missing parent folders of the cache', async () => {
    const path = await extractEmitter(script('deep'), join(cache, 'a', 'b', 'c'));
    assert.equal((await execa(path)).stdout, 'deep');
  });

  it('says so when the cache folder is on a noexec filesystem', async function () {
    const noexec = await writableNoexecFolder();
    if (!noexec) return this.skip(); // no such mount here; set PKTGEN_TEST_NOEXEC_DIR to run it
    const folder = join(noexec, `pktgen-test-${process.pid}`);
    await mkdir(folder, { recursive: true });
    try {
      await assert.rejects(extractEmitter(script('x'), folder), (error: PktgenError) => {
        assert.equal(error.code, 'ERR_EMITTER_NOEXEC');
        assert.match(error.message, /noexec/);
        assert.match(error.message, /PKTGEN_CACHE_DIR/);
        return true;
      });
    } finally {
      await rm(folder, { force: true, recursive: true });
    }
  });
});

// A folder on a noexec mount this test may write to: $PKTGEN_TEST_NOEXEC_DIR, else one from /proc/mounts.
async function writableNoexecFolder(): Promise<string | undefined> {
  if (process.env.PKTGEN_TEST_NOEXEC_DIR) return process.env.PKTGEN_TEST_NOEXEC_DIR;
  let mounts = '';
  try {
    mounts = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type, options = ''] = line.split(' ');
    const flags = options.split(',');
    if (type === 'tmpfs' && flags.includes('noexec') && flags.includes('rw') && mountPoint) {
      try {
        const probe = join(mountPoint, `.pktgen-probe-${process.pid}`);
        await writeFile(probe, '');
        await rm(probe);
        return mountPoint;
      } catch {
        // not writable for us: try the next one
      }
    }
  }
  return undefined;
}
