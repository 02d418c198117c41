import { PktgenError } from '../errors.js';
import { buildEmitterArgs, type EmitterSpec } from './spec.js';
import { parseEmitterLine, type IntervalEchoesEvent, type IntervalEvent, type SummaryEvent } from './output.js';

/** What the helper's exit codes mean (native/README.md). */
export const EMITTER_EXIT: Record<number, string> = {
  1: 'runtime failure',
  2: 'usage error',
  3: 'not permitted',
  4: 'unsupported',
  5: 'interrupted',
};

/** The helper failed: carries its exit code, signal and last stderr line. */
export class EmitterError extends PktgenError {
  constructor(
    message: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly summary?: SummaryEvent,
  ) {
    super('ERR_EMITTER', message);
  }
}

/** Names the helper's parent (native/pktgen-emit.h, PG_PARENT_PID_ENV): it dies with it. */
const PARENT_PID_ENV = 'PKTGEN_EMIT_PARENT_PID';

/**
 * The environment every helper run gets on top of ours: this process's pid, so that a helper whose
 * parent died before it could ask to die with it (PR_SET_PDEATHSIG) does not start at all.
 */
export function helperEnv(): Record<string, string> {
  return { [PARENT_PID_ENV]: String(process.pid) };
}

/** Options of one run. */
export interface RunOptions {
  helperPath: string;
  signal?: AbortSignal;
  /** Each interval line as it comes, then (before the summary) each measured interval's echoes. */
  onInterval?: (event: IntervalEvent | IntervalEchoesEvent) => void;
  /** Hard limit on the whole run, on top of the helper's own bound. */
  timeoutMs: number;
}

/** Runs the helper for one spec; resolves with its summary, rejects with EmitterError. */
export async function runEmitter(spec: EmitterSpec, options: RunOptions): Promise<SummaryEvent> {
  const { execa } = await import('execa');
  const child = execa(options.helperPath, buildEmitterArgs(spec), {
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 2000,
    killSignal: 'SIGTERM',
    timeout: options.timeoutMs,
    stdin: 'ignore',
    lines: false,
    buffer: { stdout: false, stderr: true },
    env: helperEnv(),
  });
  let summary: SummaryEvent | undefined;
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseEmitterLine(line);
      if (event?.event === 'interval' || event?.event === 'interval_echoes') options.onInterval?.(event);
      else if (event?.event === 'summary') summary = event;
    }
  });
  const result = await child;
  const stderr = String(result.stderr ?? '').trim();
  const lastError = stderr.split('\n').filter(Boolean).pop() ?? '';
  if (result.exitCode === 0 && summary) return summary;
  const why = result.isCanceled
    ? 'cancelled'
    : result.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : result.exitCode !== undefined
        ? `exit code ${result.exitCode} (${EMITTER_EXIT[result.exitCode] ?? 'unknown'})`
        : `killed by ${result.signal ?? 'a signal'}`;
  const detail = lastError ? `: ${lastError.replace(/^pktgen-emit:\s*/, '')}` : '';
  const missing = result.exitCode === 0 ? 'no summary line' : why;
  throw new EmitterError(`emitter failed, ${missing}${detail}`, result.exitCode, stderr, summary);
}
