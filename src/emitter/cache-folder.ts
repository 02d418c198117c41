import { rmSync } from 'node:fs';
import { mkdtemp, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { describeError, PktgenError } from '../errors.js';
import { checkChain, privateChild, privateFolder, UnsafeFolderError } from './private-folder.js';

/** Inputs of the cache folder choice: the environment, this user's home and temp folders, and uid. */
export interface CacheDirInputs {
  env: Record<string, string | undefined>;
  homedir: string;
  tmpdir: string;
  uid: number;
}

/** A cache folder to try, and the folder it is in that must exist already (a home is never made). */
export interface CacheCandidate {
  dir: string;
  within?: string;
}

/**
 * Where the helper may be cached, best first: $PKTGEN_CACHE_DIR alone (explicit: never replaced);
 * else $XDG_CACHE_HOME/pktgen or ~/.cache/pktgen, then $TMPDIR/pktgen-UID.
 */
export function cacheCandidates({ env, homedir, tmpdir, uid }: CacheDirInputs): { dirs: CacheCandidate[]; explicit: boolean } {
  if (env.PKTGEN_CACHE_DIR) return { dirs: [{ dir: env.PKTGEN_CACHE_DIR }], explicit: true };
  const dirs: CacheCandidate[] = [];
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) dirs.push({ dir: join(env.XDG_CACHE_HOME, 'pktgen') });
  else if (homedir) dirs.push({ dir: join(homedir, '.cache', 'pktgen'), within: homedir });
  // One name per user: users sharing a temp folder do not fight over one folder.
  dirs.push({ dir: join(tmpdir, `pktgen-${uid}`), within: tmpdir });
  return { dirs, explicit: false };
}

/**
 * The first candidate that is (or can be made) this user's alone, as a real path. When none is, a
 * fresh private folder in the temp folder (mkdtemp, 0700), removed when the process exits; `notice`
 * says which folders were passed over and why. An unsafe $PKTGEN_CACHE_DIR is refused instead.
 */
export async function chooseCacheFolder(inputs: CacheDirInputs, notice: (text: string) => void): Promise<string> {
  const { dirs, explicit } = cacheCandidates(inputs);
  const passed: string[] = [];
  for (const { dir, within } of dirs) {
    try {
      // A daemon's home may not exist (nobody's is /nonexistent): that is no home to make.
      if (within && !(await stat(within)).isDirectory()) throw new Error(`${within} is not a folder`);
      const folder = await privateFolder(dir, inputs.uid);
      if (passed.length > 0) notice(`helper cache: not using ${passed.join(', ')}; using ${folder}`);
      return folder;
    } catch (error) {
      if (explicit) return dir; // extractEmitter checks it again and says what is wrong and how to fix it
      passed.push(`${dir} (${whyNot(error)})`);
    }
  }
  try {
    const folder = await freshPrivateFolder(inputs);
    notice(`helper cache: not using ${passed.join(', ')}; using ${folder}, a private folder removed at exit`);
    return folder;
  } catch (error) {
    throw new PktgenError(
      'ERR_EMITTER_CACHE_UNSAFE',
      `no folder to run the helper from that only this user can change: ${[...passed, `a new folder in ${inputs.tmpdir} (${whyNot(error)})`].join(', ')}. ` +
        'Set PKTGEN_CACHE_DIR to a folder only this user can write',
      { cause: error },
    );
  }
}

async function freshPrivateFolder({ tmpdir, uid }: CacheDirInputs): Promise<string> {
  const base = await realpath(tmpdir);
  // A shared temp folder is fine above a private one when it is sticky and root's (like /tmp).
  await checkChain(base, uid, false);
  const made = await mkdtemp(join(base, `pktgen-${uid}-`));
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  return privateChild(base, basename(made), uid); // mkdtemp made it 0700: checked like any other
}

/** Why a candidate folder was passed over, in a few words. */
function whyNot(error: unknown): string {
  if (error instanceof UnsafeFolderError) return error.found.problem;
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT' && path) return `${path} does not exist`;
  return code && path ? `${code} on ${path}` : describeError(error);
}
