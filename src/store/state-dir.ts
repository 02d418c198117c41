import { mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors.js';
import { SqliteStore } from './sqlite-store.js';

/** The database file inside a state folder. */
export const STORE_FILE = 'scheduler.db';

/** Where the scheduler keeps its state: $PKTGEN_STATE_DIR, else $XDG_STATE_HOME/pktgen, else ~/.local/state/pktgen. */
export function chooseStateDir({ env, homedir }: { env: Record<string, string | undefined>; homedir: string }): string {
  // Empty counts as unset, as the XDG spec says; a relative XDG_STATE_HOME is invalid and ignored.
  if (env.PKTGEN_STATE_DIR) return env.PKTGEN_STATE_DIR;
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'pktgen');
  return join(homedir, '.local', 'state', 'pktgen');
}

/** Creates `stateDir` if need be and opens `<stateDir>/scheduler.db`; `fresh` deletes the old state first. */
export function openStore(stateDir: string, { fresh }: { fresh: boolean }): SqliteStore {
  const path = join(stateDir, STORE_FILE);
  try {
    mkdirSync(stateDir, { recursive: true });
    // The -wal and -shm files belong to the database: a stale WAL would be replayed into the new one.
    if (fresh) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  } catch (error) {
    throw new UserError(`cannot prepare state folder ${stateDir} (${(error as Error).message}); choose another --state-dir`, 'ERR_STORE', { cause: error });
  }
  return SqliteStore.open(path);
}
