import type { Stats } from 'node:fs';

/** What makes a path unsafe to trust, and the shell command that fixes it. */
export interface PathProblem {
  problem: string;
  fix: string;
}

/** What the checks read from lstat()/stat(). */
export type PathInfo = Pick<Stats, 'uid' | 'mode' | 'isDirectory' | 'isFile' | 'isSymbolicLink'>;

const GROUP_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** `path` quoted for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * Why a folder above a private one would let another user swap what is below it: it must be owned
 * by root or by `uid`, and writable by group or others only with the sticky bit (like /tmp), which
 * stops them renaming or deleting entries that are not theirs. Undefined = safe.
 */
export function ancestorProblem(path: string, info: PathInfo, uid: number): PathProblem | undefined {
  if (info.isSymbolicLink()) return { problem: `${path} is a symbolic link`, fix: `replace the link ${shellQuote(path)} by the folder it points to` };
  if (!info.isDirectory()) return { problem: `${path} is not a folder`, fix: `move ${shellQuote(path)} away` };
  if (info.uid !== 0 && info.uid !== uid) {
    return { problem: `${path} is owned by uid ${info.uid}, who could swap what is inside`, fix: `chown ${uid} ${shellQuote(path)}` };
  }
  if ((info.mode & GROUP_OTHER_WRITE) !== 0 && (info.mode & STICKY) === 0) {
    return { problem: `${path} is writable by group or others (mode ${octal(info.mode)}) without the sticky bit`, fix: `chmod go-w ${shellQuote(path)}` };
  }
  return undefined;
}

/**
 * Why a folder or file that only this user may change is not so: it must be a real folder (or
 * regular file), not a link, owned by `uid` and not writable by group or others. Undefined = safe.
 * The fix names the mode pktgen creates it with: 700 for a folder, `fileMode` for a file.
 */
export function privateProblem(path: string, info: PathInfo, uid: number, kind: 'folder' | 'file', fileMode = 0o600): PathProblem | undefined {
  const mode = kind === 'folder' ? '700' : fileMode.toString(8);
  if (info.isSymbolicLink()) return { problem: `${path} is a symbolic link`, fix: `move ${shellQuote(path)} away` };
  if (kind === 'folder' ? !info.isDirectory() : !info.isFile()) {
    return { problem: `${path} is not a ${kind === 'folder' ? 'folder' : 'regular file'}`, fix: `move ${shellQuote(path)} away` };
  }
  if (info.uid !== uid) {
    return { problem: `${path} is owned by uid ${info.uid}, not by uid ${uid} that pktgen runs as`, fix: `chown ${uid} ${shellQuote(path)}` };
  }
  if ((info.mode & GROUP_OTHER_WRITE) !== 0) {
    return { problem: `${path} is writable by group or others (mode ${octal(info.mode)})`, fix: `chmod ${mode} ${shellQuote(path)}` };
  }
  return undefined;
}

/** The current user's id (0 where the platform has none: pktgen runs on Linux). */
export const currentUid = (): number => process.getuid?.() ?? 0;
