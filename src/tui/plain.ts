import { escapeControl } from '../text.js';
import type { TuiBackend } from './backend.js';
import type { LogEntry } from './events.js';
import { clock } from './format.js';
import { Poller } from './poller.js';
import { totalsLine } from './totals.js';

/** Where plain mode writes, how often it polls, and what stops it. */
export interface PlainOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  pollMs: number;
  signal: AbortSignal;
  now?: () => number;
}

/**
 * The view without a terminal (piped output, CI): the totals once, then one line per event as
 * snapshots change, and the totals again when `signal` stops it.
 */
export async function runPlain(backend: TuiBackend, { stdout, stderr, pollMs, signal, now = Date.now }: PlainOptions): Promise<void> {
  const line = (entry: LogEntry): string => `${clock(entry.at)} ${entry.level === 'info' ? '' : `${entry.level}: `}${escapeControl(entry.text)}\n`;
  let first = true;
  const poller = new Poller(backend, pollMs, {
    onSnapshot: (snapshot, events) => {
      if (first) stdout.write(line({ at: now(), level: 'info', text: `watching ${backend.label}: ${totalsLine(snapshot, Infinity)}` }));
      first = false;
      for (const event of events) stdout.write(line(event));
    },
    onError: (entry) => stderr.write(line(entry)),
  }, now);
  if (signal.aborted) return;
  poller.start();
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  poller.stop();
  if (poller.latest) stdout.write(line({ at: now(), level: 'info', text: totalsLine(poller.latest, Infinity) }));
}
