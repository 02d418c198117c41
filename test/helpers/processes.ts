import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A live process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The executable it runs (/proc/PID/exe). */
  exe: string;
}

/**
 * Every live process whose executable is `exe`, or passes `exe` as a test (zombies, which run
 * nothing and hold no socket, left out).
 */
export function processesRunning(exe: string | ((path: string) => boolean)): ProcessInfo[] {
  const matches = typeof exe === 'string' ? (path: string) => path === exe : exe;
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcess(Number(name));
    if (info && matches(info.exe)) found.push(info);
  }
  return found;
}

/** The live children of `ppid` that run `exe`. */
export function childrenRunning(ppid: number, exe: string): ProcessInfo[] {
  return processesRunning(exe).filter((info) => info.ppid === ppid);
}

/** Whether `pid` is a live process (not gone, not a zombie). */
export function isAlive(pid: number): boolean {
  return readProcess(pid) !== undefined;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    return { pid, ppid: Number(ppid), exe: readlinkSync(`/proc/${pid}/exe`) };
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}
