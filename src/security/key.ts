import { homedir as osHomedir } from 'node:os';
import { join } from 'node:path';
import { userConfigDir } from '../config/paths.js';
import { UserError } from '../errors.js';
import type { ClusterKey } from './cluster-key.js';
import { readKeyFile, shellQuote, writeKeyFile } from './key-file.js';

export { ClusterKey, KEY_BYTES } from './cluster-key.js';

import { KEY_FILE_ENV } from './key-env.js';

export { DEFAULT_KEY_HELP, KEY_FILE_ENV } from './key-env.js';

/** The environment and home folder a key's location depends on; default: this process's. */
export interface KeyEnvironment {
  env?: Record<string, string | undefined>;
  homedir?: string;
}

/** Where the key file is, and what named it. */
export interface KeyLocation {
  path: string;
  from: 'flag' | 'env' | 'default';
}

/** Options of loadClusterKey. */
export interface LoadKeyOptions extends KeyEnvironment {
  /** --key-file. */
  keyFile?: string | undefined;
  /** Make a key at the default location if none is there (serve, schedule); never at a named file. */
  create: boolean;
  /** The user who must own the file; default: this process's effective uid. */
  uid?: number;
}

/**
 * The key file's location: --key-file FILE, else $PKTGEN_KEY_FILE, else $XDG_CONFIG_HOME/pktgen/cluster.key
 * (XDG_CONFIG_HOME only if absolute, as the XDG spec says), else ~/.config/pktgen/cluster.key.
 */
export function keyLocation(options: KeyEnvironment & { keyFile?: string | undefined }): KeyLocation {
  const env = options.env ?? process.env;
  if (options.keyFile) return { path: options.keyFile, from: 'flag' };
  if (env[KEY_FILE_ENV]) return { path: env[KEY_FILE_ENV], from: 'env' };
  const folder = userConfigDir(env, () => options.homedir ?? processHome());
  if (!folder) throw new UserError(`no home folder to find the cluster key in: pass --key-file FILE or set ${KEY_FILE_ENV}`, 'ERR_NO_KEY');
  return { path: join(folder, 'cluster.key'), from: 'default' };
}

/**
 * The cluster key, read from keyLocation() and checked (owner, mode, format; see readKeyFile).
 * With `create` and no file at the default location, makes one there (0600, atomically: of two
 * processes starting at once, both end with the same key); the returned key says it was `created`.
 * A missing key is a UserError saying where pktgen looked and how to get the scheduler's key.
 */
export async function loadClusterKey(options: LoadKeyOptions): Promise<ClusterKey> {
  const location = keyLocation(options);
  const uid = options.uid ?? process.geteuid!();
  const found = await readKeyFile(location.path, uid);
  if (found) return found;
  if (!options.create || location.from !== 'default') throw missingKey(location, options.create);
  // Losing the race to another process creating it at the same moment: read the one it made.
  const key = (await writeKeyFile(location.path, { replace: false })) ?? (await readKeyFile(location.path, uid));
  if (!key) throw missingKey(location, options.create);
  return key;
}

/**
 * `pktgen keygen`: writes a fresh key to `out` (default: keyLocation() without a flag) and returns
 * the path. Refuses to replace a file unless `force`.
 */
export async function keygen(options: KeyEnvironment & { out?: string | undefined; force: boolean }): Promise<string> {
  const { path } = keyLocation({ ...options, keyFile: options.out });
  const key = await writeKeyFile(path, { replace: options.force });
  if (!key) throw new UserError(`${path} already exists: keep it, or replace it with pktgen keygen --force (then copy the new key to every host: the old one stops working)`, 'ERR_KEY_EXISTS');
  return path;
}

/** What serve and schedule log about a key they made: the path, never the key. */
export function createdKeyNotice(key: ClusterKey): string | undefined {
  return key.created ? `created a new cluster key at ${key.source} (mode 0600): copy this file to every host that runs pktgen` : undefined;
}

function missingKey(location: KeyLocation, create: boolean): UserError {
  const path = shellQuote(location.path);
  const named = location.from === 'flag' ? `no cluster key at ${location.path} (--key-file)`
    : location.from === 'env' ? `no cluster key at ${location.path} ($${KEY_FILE_ENV})`
      : `no cluster key: --key-file not given, $${KEY_FILE_ENV} not set, and no file at ${location.path}`;
  // A scheduler or node named a file that is not there: a new key would not match the others.
  const fix = create ? `make one with pktgen keygen --out ${path} and copy it to every host`
    : `copy the scheduler's key file there (mode 0600; the scheduler logs where it keeps it), or pass --key-file FILE`;
  return new UserError(`${named}; ${fix}`, 'ERR_NO_KEY');
}

function processHome(): string {
  try {
    return osHomedir();
  } catch {
    return ''; // no HOME and no passwd entry
  }
}
