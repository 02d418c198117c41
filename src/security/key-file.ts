import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { ClusterKey, KEY_BYTES } from './cluster-key.js';

/**
 * A key file holds one line: the 32 key bytes as 64 hexadecimal characters, then a newline
 * (which a reader may also find missing, or as CRLF). Its mode is 0600 and it belongs to the user
 * who runs pktgen.
 */
const KEY_LINE = /^[0-9a-fA-F]{64}\r?\n?$/;
/** Longer than any valid key file: a reader stops there. */
const MAX_FILE_BYTES = 128;

/**
 * Reads and checks the key file at `path`; undefined when there is none. Refuses (UserError, exit 2),
 * with the command that fixes it: a symbolic link, anything but a regular file, a file owned by
 * another user than `uid` or open to group or others, a file that is not one line of 64 hex digits.
 */
export async function readKeyFile(path: string, uid: number): Promise<ClusterKey | undefined> {
  let handle: fs.FileHandle;
  try {
    // O_NOFOLLOW: the file judged below is the one named, never where a link points (see refuseLink).
    // O_NONBLOCK: a FIFO planted at the path must not hang the open; it is refused as not a file.
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw await refuseLink(path);
    const hint = code === 'EACCES' ? ': it must belong to the user running pktgen' : '';
    throw keyFileError(path, `cannot be read (${code ?? (error as Error).message})${hint}`);
  }
  try {
    // fstat of the open file: the checks and the read are about the same file, whatever renames happen.
    const stat = await handle.stat();
    if (!stat.isFile()) throw keyFileError(path, 'is not a regular file');
    const fixes: string[] = [];
    const problems: string[] = [];
    if (stat.uid !== uid) {
      problems.push(`belongs to uid ${stat.uid}, not to the user running pktgen (uid ${uid})`);
      fixes.push(`chown ${userName(uid)} ${shellQuote(path)}`);
    }
    // As MongoDB's keyFile and Erlang's cookie: no permission at all for group or others.
    if ((stat.mode & 0o077) !== 0) {
      problems.push(`is open to group or others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')})`);
      fixes.push(`chmod 600 ${shellQuote(path)}`);
    }
    if (problems.length > 0) throw keyFileError(path, `${problems.join(' and ')}; a cluster key must be private to its user: run ${fixes.join(' && ')}`);
    const buffer = Buffer.alloc(MAX_FILE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_FILE_BYTES, 0);
    const text = buffer.toString('latin1', 0, bytesRead);
    buffer.fill(0);
    // The content is never echoed: the message must not carry even part of a key.
    if (!KEY_LINE.test(text)) throw keyFileError(path, `is not a cluster key: expected one line of ${KEY_BYTES * 2} hexadecimal characters, as pktgen keygen writes`);
    return new ClusterKey(Buffer.from(text.slice(0, KEY_BYTES * 2), 'hex'), path);
  } finally {
    await handle.close();
  }
}

/**
 * Writes a fresh random key to `path`, mode 0600, creating its folder (0700) if need be. The key is
 * written to a new temporary file in the same folder first, so nobody ever reads half a key; then
 * it is linked into place, which fails if a file is there (returns undefined: another process won
 * the race, or the user has a key), or with `replace`, renamed over whatever is there.
 */
export async function writeKeyFile(path: string, { replace }: { replace: boolean }): Promise<ClusterKey | undefined> {
  const folder = dirname(path);
  const bytes = randomBytes(KEY_BYTES);
  const temp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await handle.chmod(0o600); // whatever the umask
      await handle.writeFile(`${bytes.toString('hex')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (replace) await fs.rename(temp, path);
    else await fs.link(temp, path);
    await syncFolder(folder);
    return new ClusterKey(bytes, path, true);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && !replace) return undefined;
    throw keyFileError(path, `cannot be written (${code ?? (error as Error).message}); choose another file with --key-file or --out`);
  } finally {
    bytes.fill(0);
    await fs.rm(temp, { force: true });
  }
}

/** Quotes a path for the shell command a message suggests, when it needs quoting. */
export function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

function keyFileError(path: string, problem: string): UserError {
  return new UserError(`cluster key ${path} ${problem}`, 'ERR_KEY_FILE');
}

/**
 * A symbolic link is refused rather than followed: the owner and mode checked are then those of the
 * name the user gave, and a link planted at the default path can neither point pktgen at another
 * file nor send a new key somewhere else. Naming the file itself costs one flag.
 */
async function refuseLink(path: string): Promise<UserError> {
  const target = await fs.realpath(path).catch(() => undefined);
  const what = target ? `is a symbolic link (to ${target})` : 'is a symbolic link that points nowhere';
  const fix = target ? `; pass the file itself: --key-file ${shellQuote(target)}` : '';
  return keyFileError(path, `${what}: pktgen reads a key only from a regular file, whose owner and mode it checks${fix}`);
}

function userName(uid: number): string {
  try {
    return userInfo().uid === uid ? userInfo().username : String(uid);
  } catch {
    return String(uid); // no passwd entry for this uid: chown takes the number too
  }
}

/** Makes the new name durable: a crash right after must not lose the key the log said it created. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
