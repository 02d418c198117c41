import { accessSync, chmodSync, closeSync, constants, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { currentUid, privateProblem } from '../private-path.js';
import { SqliteStore } from './sqlite-store.js';
import { STATE_DIR_ENV } from './state-dir-env.js';

export { STATE_DIR_ENV } from './state-dir-env.js';

/** The database file inside a state folder. */
export const STORE_FILE = 'scheduler.db';
/** The scheduler's log file inside a state folder, written under the terminal UI. */
export const LOG_FILE = 'scheduler.log';

// SQLite's files beside the database belong to it: a stale or planted WAL would be replayed into it.
const COMPANIONS = ['-wal', '-shm', '-journal'];


/** Where the scheduler keeps its state: $PKTGEN_STATE_DIR, else $XDG_STATE_HOME/pktgen, else ~/.local/state/pktgen. */
export function chooseStateDir({ env, homedir }: { env: Record<string, string | undefined>; homedir: string }): string {
  // Empty counts as unset, as the XDG spec says; a relative XDG_STATE_HOME is invalid and ignored.
  if (env[STATE_DIR_ENV]) return env[STATE_DIR_ENV];
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'pktgen');
  return join(homedir, '.local', 'state', 'pktgen');
}

/**
 * Creates `stateDir` (0700) if need be and opens `<stateDir>/scheduler.db` (0600); `fresh` deletes
 * the old state first. A state folder or file owned by another user or writable by group or others
 * is refused (UserError ERR_STATE_UNSAFE, with the fix); one of ours only readable by others is made
 * private.
 */
export function openStore(stateDir: string, { fresh }: { fresh: boolean }): SqliteStore {
  const path = join(stateDir, STORE_FILE);
  const uid = currentUid();
  makeFolder(stateDir);
  try {
    // Root passes permission checks, not a read-only mount: access() says EROFS there.
    accessSync(stateDir, constants.W_OK);
  } catch (error) {
    throw new UserError(`state folder ${stateDir} cannot be written (${(error as Error).message}); choose another --state-dir`, 'ERR_STORE', { cause: error });
  }
  makePrivate(stateDir, 'folder', uid);
  try {
    if (fresh) for (const suffix of ['', ...COMPANIONS]) rmSync(path + suffix, { force: true });
    for (const file of [path, ...COMPANIONS.map((suffix) => path + suffix), join(stateDir, LOG_FILE)]) makePrivate(file, 'file', uid);
    // Made here with 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database's mode.
    closeSync(openSync(path, 'wx', 0o600));
    chmodSync(path, 0o600); // the umask may have cleared bits, never added: this only says what is meant
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') cannotPrepare(stateDir, error);
  }
  return SqliteStore.open(path);
}

/**
 * Creates `dir` (0700) and the folders missing above it, one level at a time: Node's recursive
 * mkdirSync loops for ever on a path such as /proc/x, where mkdir says ENOENT under a folder that
 * exists. Throws UserError ERR_STORE naming the path that is not a folder or cannot be made.
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let path = resolve(dir); ; path = dirname(path)) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: something above is a file; walking up names it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(path) === path) return cannotPrepare(dir, error);
      missing.push(path);
      continue;
    }
    if (!isFolder) throw new UserError(`state folder ${dir}: ${path} is not a folder; choose another --state-dir`, 'ERR_STORE');
    break;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      // Another process may have made it meanwhile: a folder there is all we need.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(path).isDirectory()) cannotPrepare(dir, error);
    }
  }
}

function cannotPrepare(dir: string, error: unknown): never {
  throw new UserError(`cannot prepare state folder ${dir} (${(error as Error).message}); choose another --state-dir`, 'ERR_STORE', { cause: error });
}

/**
 * Refuses `path` when another user could change it; tightens it to 0700/0600 when it is ours and
 * only readable by others (a state folder made by an older pktgen). A missing file is fine.
 */
function makePrivate(path: string, kind: 'folder' | 'file', uid: number): void {
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    if (kind === 'file' && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const found = privateProblem(path, info, uid, kind);
  if (found) {
    // Taking over another user's files is a choice: they may hold anything.
    const trust = found.fix.startsWith('chown') ? ' if you trust what it holds' : '';
    throw new UserError(`${found.problem}, so another user could change the scheduler's state: run \`${found.fix}\`${trust}, or choose another --state-dir`, 'ERR_STATE_UNSAFE');
  }
  if ((info.mode & 0o077) !== 0) chmodSync(path, kind === 'folder' ? 0o700 : 0o600);
}
