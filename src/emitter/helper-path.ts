import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { getRawAsset, isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { PktgenError, UserError } from '../errors.js';
import { currentUid, privateProblem } from '../private-path.js';
import { chooseCacheFolder, type CacheDirInputs } from './cache-folder.js';
import { privateChild, privateFolder, UnsafeFolderError } from './private-folder.js';

/** File name of the C helper, and the key of its asset inside the single executable. */
export const EMITTER_NAME = 'pktgen-emit';

/**
 * Finds the C helper to run: `$PKTGEN_EMIT`, else the copy embedded in the single executable
 * (extracted to a cache folder only this user can change, checked again before every run), else the
 * one built in this checkout. `notice` hears, once, that a cache folder was not safe and which one
 * is used instead.
 */
export async function resolveEmitterPath(notice?: (text: string) => void): Promise<string> {
  const fromEnv = process.env.PKTGEN_EMIT;
  if (fromEnv) return checkEnvEmitter(fromEnv);
  if (isSea()) {
    embedded ??= new HelperCache(defaultCacheInputs(), notice);
    return embedded.path(new Uint8Array(getRawAsset(EMITTER_NAME)));
  }
  return findLocalEmitter(localCandidates(import.meta.url));
}

let embedded: HelperCache | undefined;

function defaultCacheInputs(): CacheDirInputs {
  let home = '';
  try {
    home = homedir();
  } catch {
    // No $HOME and no passwd entry (some containers): fall through to the temp folder.
  }
  return { env: process.env, homedir: home, tmpdir: tmpdir(), uid: currentUid() };
}

/**
 * The helper's bytes extracted into the first safe cache folder, chosen once; each path() checks the
 * folders, the file's owner and mode and its content hash again before handing out the path.
 */
export class HelperCache {
  private folder: Promise<string> | undefined;

  constructor(private readonly inputs: CacheDirInputs, private readonly notice: (text: string) => void = () => {}) {}

  async path(bytes: Uint8Array): Promise<string> {
    this.folder ??= chooseCacheFolder(this.inputs, this.notice);
    try {
      return await extractEmitter(bytes, await this.folder, this.inputs.uid);
    } catch (error) {
      // A folder that became unsafe (or could not be chosen) is chosen again on the next run.
      if ((error as PktgenError).code === 'ERR_EMITTER_CACHE_UNSAFE') this.folder = undefined;
      throw error;
    }
  }
}

/**
 * Writes `bytes` (the helper) to `<cacheDir>/<content hash>/pktgen-emit` unless an intact copy is
 * there already, and checks it can run; returns its path. `cacheDir`, the hash folder and the file
 * must be this user's alone (see privateFolder); folders it creates are 0700.
 */
export async function extractEmitter(bytes: Uint8Array, cacheDir: string, uid = currentUid()): Promise<string> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  let folder: string;
  try {
    folder = await privateChild(await privateFolder(cacheDir, uid), digest.slice(0, 16), uid);
  } catch (error) {
    throw cacheError(cacheDir, error);
  }
  const target = join(folder, EMITTER_NAME); // a real, absolute path: callers may change folder
  if (!(await isIntactCopy(target, bytes.byteLength, digest, uid))) {
    await writeAtomically(target, bytes);
    if (!(await isIntactCopy(target, bytes.byteLength, digest, uid))) {
      throw new PktgenError('ERR_EMITTER_CACHE_UNSAFE', `the ${EMITTER_NAME} helper written to ${folder} changed before it could run: set PKTGEN_CACHE_DIR to a folder only this user can write`);
    }
  }
  await assertRunnable(target);
  return target;
}

// The folder is this user's alone, so only this user or root could change the file between this
// check and the exec: the same people who could replace pktgen itself (running it from an open fd,
// /proc/self/fd/N, would close even that gap, but shows the helper as "3" in ps and needs every
// spawner to pass the fd). Hashing again (2-5 ms for the 1.1 MiB helper, before runs of seconds)
// catches a damaged or stale copy; the owner and mode checks catch a copy others could write.
async function isIntactCopy(path: string, size: number, digest: string, uid: number): Promise<boolean> {
  try {
    const info = await lstat(path);
    if (privateProblem(path, info, uid, 'file', 0o755) || info.size !== size || (info.mode & 0o100) === 0) return false;
    return createHash('sha256').update(await readFile(path)).digest('hex') === digest;
  } catch {
    return false;
  }
}

async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(target);
  const temp = join(folder, `.${EMITTER_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temp, bytes, { mode: 0o755, flag: 'wx' });
    await chmod(temp, 0o755); // the umask may have cleared bits of the mode given above
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined); // the folder itself may be what failed
    throw new PktgenError(
      'ERR_EMITTER_CACHE_UNWRITABLE',
      `cannot write the ${EMITTER_NAME} helper to ${folder} (${reason(error)}): set PKTGEN_CACHE_DIR to a writable folder`,
      { cause: error },
    );
  }
}

/** The error for a cache folder that is unsafe (UnsafeFolderError) or cannot be made (a file system error). */
function cacheError(cacheDir: string, error: unknown): PktgenError {
  if (error instanceof UnsafeFolderError) {
    return new PktgenError(
      'ERR_EMITTER_CACHE_UNSAFE',
      `will not run the ${EMITTER_NAME} helper from ${cacheDir}: ${error.found.problem}, so another user could replace it. ` +
        `Fix: \`${error.found.fix}\`, or set PKTGEN_CACHE_DIR to a folder only this user can write`,
      { cause: error },
    );
  }
  return new PktgenError(
    'ERR_EMITTER_CACHE_UNWRITABLE',
    `cannot write the ${EMITTER_NAME} helper to ${cacheDir} (${reason(error)}): set PKTGEN_CACHE_DIR to a writable folder`,
    { cause: error },
  );
}

async function assertRunnable(path: string): Promise<void> {
  try {
    // On Linux access(X_OK) also fails on a filesystem mounted noexec, before any exec() attempt.
    await access(path, constants.X_OK);
  } catch (error) {
    throw new PktgenError(
      'ERR_EMITTER_NOEXEC',
      `the ${EMITTER_NAME} helper in ${dirname(path)} cannot be run (${reason(error)}; is that folder on a noexec filesystem?): ` +
        'set PKTGEN_CACHE_DIR to a folder where programs may run',
      { cause: error },
    );
  }
}

async function checkEnvEmitter(path: string): Promise<string> {
  try {
    await access(path, constants.X_OK);
    return resolve(path); // a bare name would otherwise be looked up on PATH when run
  } catch (error) {
    throw new UserError(`PKTGEN_EMIT=${path} is not an executable file (${reason(error)}): fix or unset it`, 'ERR_EMITTER_ENV');
  }
}

/** Where a checkout keeps the helper: next to the bundle (dist/), else native/build/ of the repo. */
export function localCandidates(moduleUrl: string): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  // Run from sources (src/emitter/*.ts under tsx) the repo root is two levels up; from dist/pktgen.mjs one.
  if (moduleUrl.endsWith('.ts')) {
    const root = join(here, '..', '..');
    // Under development the freshly made helper wins over the last build's copy.
    return [join(root, 'native', 'build', EMITTER_NAME), join(root, 'dist', EMITTER_NAME)];
  }
  return [join(here, EMITTER_NAME), join(here, '..', 'native', 'build', EMITTER_NAME)];
}

/** Returns the first executable path of `candidates`, or fails saying where it looked. */
export async function findLocalEmitter(candidates: readonly string[]): Promise<string> {
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  throw new PktgenError(
    'ERR_EMITTER_NOT_FOUND',
    `the ${EMITTER_NAME} helper is not built (looked at ${candidates.join(', ')}): run npm run build, or set PKTGEN_EMIT`,
  );
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
