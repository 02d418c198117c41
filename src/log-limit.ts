import type { Logger } from './log.js';
import { describeError } from './errors.js';

/** How many lines of one kind a LogLimiter writes per interval. */
export interface LogLimit {
  lines: number;
  intervalMs: number;
}

/**
 * 10 lines of a kind per 10 s: enough to see who and why, while a flood of refused connections
 * (thousands a second) costs one summary line per kind every 10 s instead of a line each.
 */
export const DEFAULT_LOG_LIMIT: LogLimit = { lines: 10, intervalMs: 10_000 };

interface Window {
  startedAt: number;
  written: number;
  held: number;
  timer?: NodeJS.Timeout;
}

/**
 * Warnings that a peer can provoke at will (refused and dropped connections), rate-limited per kind:
 * at most `lines` per interval, then one line at the interval's end, "<kind>: ... and K more in
 * the last S s". Kinds are fixed words (an error code), never a peer's address, so the table of
 * windows stays small.
 */
export class LogLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly log: Logger,
    private readonly limit: LogLimit = DEFAULT_LOG_LIMIT,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Writes `message` as a warning unless this kind has used up its lines for the interval. */
  warn(kind: string, message: string): void {
    const now = this.clock();
    let window = this.windows.get(kind);
    if (window && now - window.startedAt >= this.limit.intervalMs) {
      this.flush(kind);
      window = undefined;
    }
    if (!window) {
      window = { startedAt: now, written: 0, held: 0 };
      this.windows.set(kind, window);
    }
    if (window.written < this.limit.lines) {
      window.written += 1;
      this.log.warn(message);
      return;
    }
    window.held += 1;
    // The summary must come even if the flood stops: a timer, unref'd so it never keeps the process up.
    window.timer ??= setTimeout(() => this.flush(kind), window.startedAt + this.limit.intervalMs - now).unref();
  }

  /** Writes the pending summaries now and stops their timers (on shutdown). */
  close(): void {
    for (const kind of [...this.windows.keys()]) this.flush(kind);
  }

  private flush(kind: string): void {
    const window = this.windows.get(kind);
    if (!window) return;
    clearTimeout(window.timer);
    this.windows.delete(kind);
    if (window.held === 0) return;
    const seconds = Math.max(1, Math.round((this.clock() - window.startedAt) / 1000));
    this.log.warn(`${kind}: ... and ${window.held.toLocaleString('en-US')} more in the last ${seconds} s`);
  }
}

/**
 * A frame server's onError that logs through `limiter`, one kind per error code: "refused status
 * connection from 10.0.0.9:40112: ..." and, past the limit, "refused status connection
 * (ERR_READ_TIMEOUT): ... and 1,234 more in the last 10 s". `what` names the port's connections.
 */
export function connectionErrorLog(limiter: LogLimiter, what: string): (error: Error, peer: { remoteAddress: string; remotePort: number }) => void {
  return (error, peer) => {
    const code = (error as { code?: unknown }).code;
    const verb = code === 'ERR_CONNECTION_LIMIT' || code === 'ERR_READ_TIMEOUT' || code === 'ERR_FRAME_TOO_LARGE' ? 'refused' : 'dropped';
    limiter.warn(`${verb} ${what} (${typeof code === 'string' ? code : 'error'})`, `${verb} ${what} from ${peer.remoteAddress}:${peer.remotePort}: ${describeError(error)}`);
  };
}
