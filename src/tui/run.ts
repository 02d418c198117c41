import { catchStopSignals } from '../stop-signals.js';
import type { TuiBackend } from './backend.js';
import { runPlain } from './plain.js';
import { totalsLine } from './totals.js';

/** Options of runTui; every stream defaults to the process's own. */
export interface RunTuiOptions {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Milliseconds between snapshots (default 500). */
  pollMs?: number;
  /** false = plain log lines; default: only when stdin and stdout are terminals. */
  interactive?: boolean;
  /** Stops the view. Without one, SIGINT, SIGTERM and SIGHUP stop it. */
  signal?: AbortSignal;
  /** Draw on the terminal's alternate screen, as full-screen programs do (default true). */
  alternateScreen?: boolean;
  /**
   * Quitting stops the scheduler and its jobs (`schedule -i`, the default): q asks first while jobs
   * run or wait. false for a viewer (`status --watch`), whose q quits at once.
   */
  quitStopsJobs?: boolean;
}

/** Stops on a stop signal (SIGINT, SIGTERM, SIGHUP) until disposed. */
function processSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const signals = catchStopSignals();
  void signals.received.then(() => controller.abort());
  return { signal: controller.signal, dispose: () => signals.dispose() };
}

/**
 * Shows the live view of a backend until the user quits (or the signal stops it): the Ink app on a
 * terminal, plain log lines otherwise. Ink itself is loaded only for a terminal.
 */
export async function runTui(backend: TuiBackend, options: RunTuiOptions = {}): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const pollMs = options.pollMs ?? 500;
  const own = options.signal ? undefined : processSignal();
  const signal = options.signal ?? own!.signal;
  try {
    if (signal.aborted) return;
    if (!(options.interactive ?? Boolean(stdin.isTTY && stdout.isTTY))) {
      await runPlain(backend, { stdout, stderr, pollMs, signal });
      return;
    }
    const { renderApp } = await import('./render.js');
    const last = await renderApp(backend, { stdin, stdout, stderr, pollMs, signal, alternateScreen: options.alternateScreen ?? true, quitStopsJobs: options.quitStopsJobs ?? true });
    // The alternate screen is gone with the view: leave where things stood on the normal screen.
    if (last) stdout.write(`pktgen: ${totalsLine(last, Infinity)}\n`);
  } finally {
    own?.dispose();
  }
}
