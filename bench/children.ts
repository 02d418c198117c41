/**
 * The child processes of the scheduler benchmarks (bench/scheduler.ts, bench/load.ts): the scripts
 * they fork (esbuild bundles run by plain node, or the sources under tsx), the forks themselves, and
 * bounded waits for their IPC answers. Every child and temporary folder is ended and removed by
 * close(), whatever way the run ends.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** How long the simulator may take to answer a command. */
export const SIM_ANSWER_MS = 30_000;

/** The V8 flags dist/pktgen runs with (SEA_EXEC_ARGV, scripts/build-sea.mjs): the scheduler is measured with them. */
export async function seaFlags(): Promise<string[]> {
  // A computed specifier: scripts/ is plain JavaScript without type declarations.
  return ((await import(new URL('../scripts/build-sea.mjs', import.meta.url).href)) as { SEA_EXEC_ARGV: string[] }).SEA_EXEC_ARGV;
}

/** The scripts to fork and the node flags to fork them with. */
export interface BenchScripts { phase: string; sim: string; execArgv: string[] }

/** The forked children and temporary folders of one benchmark run. */
export class BenchChildren {
  private readonly children = new Set<ChildProcess>();
  private readonly dirs: string[] = [];

  constructor(private readonly prefix: string) {}

  /** A new temporary folder, removed by close(). */
  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), this.prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** bench/scheduler-phase.ts and bench/sim-nodes.ts: bundled by esbuild (run by plain node) or, with `tsx`, the sources. */
  async scripts(tsx: boolean): Promise<BenchScripts> {
    const source = (name: string) => fileURLToPath(new URL(name, import.meta.url));
    if (tsx) return { phase: source('./scheduler-phase.ts'), sim: source('./sim-nodes.ts'), execArgv: process.execArgv };
    const outdir = this.tempDir();
    // A computed specifier: scripts/ is plain JavaScript without type declarations.
    const { BUNDLE_ALIAS } = (await import(new URL('../scripts/build-bundle.mjs', import.meta.url).href)) as { BUNDLE_ALIAS: Record<string, string> };
    await build({
      alias: BUNDLE_ALIAS,
      entryPoints: [source('./scheduler-phase.ts'), source('./sim-nodes.ts')], outdir, outExtension: { '.js': '.mjs' },
      bundle: true, platform: 'node', format: 'esm', target: 'node24', logLevel: 'warning',
      // protobufjs is CommonJS: give the bundle a require, as scripts/build-bundle.mjs does.
      banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
    });
    return { phase: join(outdir, 'scheduler-phase.mjs'), sim: join(outdir, 'sim-nodes.mjs'), execArgv: [] };
  }

  /** Forks `path` with an IPC channel; its output goes to ours. */
  start(path: string, args: string[], execArgv: string[]): ChildProcess {
    const child = fork(path, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Kills every child still running (SIGKILL, by its PID) and removes the temporary folders. */
  close(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** The child's next message of `type` (or phase `type`); rejects if the child exits first or `timeoutMs` passes. */
export function next<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: { type?: string; phase?: string }) => {
      if (message.type !== type && message.phase !== type) return;
      done();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${type}: child exited (${code}) before answering`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${type}: no answer from child ${child.pid} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends `command` and waits (bounded) for the answer of type `answer`. */
export function ask<T>(child: ChildProcess, command: object, answer: string, timeoutMs = SIM_ANSWER_MS): Promise<T> {
  const reply = next<T>(child, answer, timeoutMs);
  child.send(command);
  return reply;
}

/** Resolves once `child` has exited, or after `timeoutMs` (false then). */
export function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}
