import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnPktgen } from '../helpers/binary.js';

/** How a process ended: its exit code, or the signal that ended it. */
export interface Ending {
  exitCode: number | undefined;
  signal: string | undefined;
}

/**
 * One `pktgen` process a fault test started (built binary): its log (stderr) and output (stdout) as
 * they arrive, and how it ended. It is signalled by its own PID only.
 */
export class PktgenProcess {
  log = '';
  output = '';
  ending?: Ending;
  readonly ended: Promise<Ending>;
  private readonly child: ReturnType<typeof spawnPktgen>;

  constructor(readonly label: string, args: string[], env: Record<string, string>) {
    this.child = spawnPktgen(args, env);
    this.child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.ended = this.child.then((result) => (this.ending = { exitCode: result.exitCode, signal: result.signal }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.ending === undefined;
  }

  /** Sends `signal` to this process (by its PID) while it runs. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // It ended between the check and the signal.
    }
  }

  /** Resolves with the log once a log line matches `pattern`; fails after `timeoutMs` or when the process ends first. */
  async waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.log)) {
      if (!this.running) throw new Error(`${this.label} ended (${describeEnding(this.ending!)}) before logging ${pattern}; its log:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`${this.label} logged nothing matching ${pattern} within ${timeoutMs} ms; its log:\n${this.log}`);
      await sleep(20);
    }
    return this.log;
  }

  /** How it ended, or undefined if it still runs after `timeoutMs`. */
  async waitForEnd(timeoutMs: number): Promise<Ending | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    try {
      return await Promise.race([this.ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops it: SIGCONT (it may be stopped), `signal`, then SIGKILL if it still runs after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Ending> {
    this.signal('SIGCONT');
    this.signal(signal);
    if (!(await this.waitForEnd(graceMs))) this.signal('SIGKILL');
    return this.ended;
  }
}

/** "exit code 0" or "signal SIGKILL". */
export function describeEnding(ending: Ending): string {
  return ending.signal ? `signal ${ending.signal}` : `exit code ${ending.exitCode}`;
}

/** A process found by its executable's path, and its parent. */
export interface FoundProcess {
  pid: number;
  ppid: number;
}

/**
 * The processes whose executable lies inside `folder`: the pktgen-emit helpers a pktgen extracted
 * into its private PKTGEN_CACHE_DIR (sender and reflector alike). Found by path, never by name, so
 * nothing of another test or user is ever counted or signalled.
 */
export function processesRunningFrom(folder: string): FoundProcess[] {
  const found: FoundProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readlinkSync(`/proc/${entry}/exe`).startsWith(`${folder}/`)) continue;
      // /proc/PID/stat: "pid (comm) state ppid ...", and comm may hold spaces or parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      found.push({ pid: Number(entry), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch {
      continue; // gone, a zombie, or a kernel thread
    }
  }
  return found;
}

/** Waits up to `timeoutMs` for no process to run from `folder`; returns those still running then. */
export async function waitForNoProcessFrom(folder: string, timeoutMs: number): Promise<FoundProcess[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = processesRunningFrom(folder);
    if (found.length === 0 || Date.now() > deadline) return found;
    await sleep(50);
  }
}
