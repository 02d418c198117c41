import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { getRawAsset, isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { PktgenError, UserError } from '../errors.js';

/** File name of the C helper, and the key of its asset inside the single executable. */
export const EMITTER_NAME = 'pktgen-emit';

let extracted: Promise<string> | undefined;

/**
 * Finds the C helper to run: `$PKTGEN_EMIT`, else the copy embedded in the single executable
 * (extracted once to the cache folder), else the one built in this checkout.
 */
export async function resolveEmitterPath(): Promise<string> {
  const fromEnv = process.env.PKTGEN_EMIT;
  if (fromEnv) return checkEnvEmitter(fromEnv);
  if (isSea()) {
    extracted ??= extractEmitter(new Uint8Array(getRawAsset(EMITTER_NAME)), defaultCacheDir()).catch((error) => {
      extracted = undefined; // a daemon may be asked again once the folder is fixed
      throw error;
    });
    return extracted;
  }
  return findLocalEmitter(localCandidates(import.meta.url));
}

/** Inputs of {@link chooseCacheDir}: the environment and the home and temp folders of this user. */
export interface CacheDirInputs {
  env: Record<string, string | undefined>;
  homedir: string;
  tmpdir: string;
}

/** Picks the cache folder: $PKTGEN_CACHE_DIR, $XDG_CACHE_HOME/pktgen, ~/.cache/pktgen, else the temp folder. */
export function chooseCacheDir({ env, homedir, tmpdir }: CacheDirInputs): string {
  if (env.PKTGEN_CACHE_DIR) return env.PKTGEN_CACHE_DIR;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'pktgen');
  if (homedir) return join(homedir, '.cache', 'pktgen');
  return join(tmpdir, 'pktgen');
}

function defaultCacheDir(): string {
  let home = '';
  try {
    home = homedir();
  } catch {
    // No $HOME and no passwd entry (some containers): fall through to the temp folder.
  }
  return chooseCacheDir({ env: process.env, homedir: home, tmpdir: tmpdir() });
}

/**
 * Writes `bytes` (the helper) to `<cacheDir>/<content hash>/pktgen-emit` unless an intact copy is
 * there already, and checks it can run; returns its path.
 */
export async function extractEmitter(bytes: Uint8Array, cacheDir: string): Promise<string> {
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const target = resolve(cacheDir, digest, EMITTER_NAME); // absolute: callers may change folder
  if (!(await isIntactCopy(target, bytes.byteLength))) await writeAtomically(target, bytes);
  await assertRunnable(target);
  return target;
}

// The folder name is the content hash and files only appear through rename(), so a file of the
// right size, owned by us and executable is the same helper: no need to hash it again.
async function isIntactCopy(path: string, size: number): Promise<boolean> {
  try {
    const info = await stat(path);
    const ours = process.getuid === undefined || info.uid === process.getuid();
    return info.isFile() && info.size === size && (info.mode & 0o111) !== 0 && ours;
  } catch {
    return false;
  }
}

async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(target);
  const temp = join(folder, `.${EMITTER_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await makeFolder(folder);
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

// Not mkdir({recursive: true}): it spins forever when a parent exists but cannot hold folders (a
// PKTGEN_CACHE_DIR under /proc, on Node 24). Create each missing level once; fail on the first error.
async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { mode: 0o700 });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return; // a file in its place fails at writeFile, with a clear code
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
  }
  await makeFolder(dirname(path));
  await mkdir(path, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error; // another process made it meanwhile
  });
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
