import { lstat, mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PktgenError } from '../errors.js';
import { ancestorProblem, privateProblem, type PathProblem } from '../private-path.js';

/** A folder another user could change: what is wrong and the command that fixes it. */
export class UnsafeFolderError extends PktgenError {
  constructor(readonly found: PathProblem) {
    super('ERR_UNSAFE_FOLDER', `${found.problem} (fix: ${found.fix})`);
  }
}

/**
 * Makes `path` (and its missing parents, each 0700) a folder only user `uid` can change, and returns
 * its real path. Every folder above it must be owned by root or `uid` and writable by others only
 * with the sticky bit; the folder itself must be a real folder (no link), owned by `uid` and not
 * writable by group or others. Throws UnsafeFolderError, or the file system's error.
 */
export async function privateFolder(path: string, uid: number): Promise<string> {
  const { existing, missing } = await existingPrefix(resolve(path));
  await checkChain(existing, uid, missing.length === 0);
  let current = existing;
  for (const name of missing) current = await privateChild(current, name, uid);
  return current;
}

/** Makes (0700) or finds the folder `name` in the private folder `parent`, and checks it is ours alone. */
export async function privateChild(parent: string, name: string, uid: number): Promise<string> {
  const path = join(parent, name);
  try {
    await mkdir(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // lstat, never stat: a link planted under this name is refused, not followed.
  const found = privateProblem(path, await lstat(path), uid, 'folder');
  if (found) throw new UnsafeFolderError(found);
  return path;
}

/** Checks every folder from / down to `path` (a real path); the last must be private when `leafIsOurs`. */
export async function checkChain(path: string, uid: number, leafIsOurs: boolean): Promise<void> {
  const chain: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const [i, p] of chain.entries()) {
    const info = await lstat(p);
    const found = i === chain.length - 1 && leafIsOurs ? privateProblem(p, info, uid, 'folder') : ancestorProblem(p, info, uid);
    if (found) throw new UnsafeFolderError(found);
  }
}

// The deepest existing folder of `path`, resolved (links followed once, here, so that what is
// checked is what is used afterwards), and the names still to create below it.
async function existingPrefix(path: string): Promise<{ existing: string; missing: string[] }> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    try {
      return { existing: await realpath(current), missing };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) throw error;
      missing.unshift(basename(current));
    }
  }
}
