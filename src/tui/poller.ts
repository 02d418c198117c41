import { describeError } from '../errors.js';
import type { Snapshot } from '../protocol/view.js';
import type { TuiBackend } from './backend.js';
import { deriveEvents, type LogEntry } from './events.js';

/** What a poller reports: each snapshot with the events since the last one, and failures. */
export interface PollerHandlers {
  onSnapshot: (snapshot: Snapshot, events: LogEntry[]) => void;
  /** Called once per distinct failure, not on every failed poll. */
  onError: (entry: LogEntry) => void;
}

/** Polls a backend's snapshot every `intervalMs`, one request at a time, diffing each against the last. */
export class Poller {
  private timer?: NodeJS.Timeout;
  private inFlight = false;
  private again = false;
  private stopped = true;
  private last?: Snapshot;
  private lastError = '';

  constructor(
    private readonly backend: Pick<TuiBackend, 'snapshot'>,
    private readonly intervalMs: number,
    private readonly handlers: PollerHandlers,
    private readonly now: () => number = Date.now,
  ) {}

  /** The newest snapshot seen. */
  get latest(): Snapshot | undefined {
    return this.last;
  }

  /** Polls now, then every interval. */
  start(): void {
    this.stopped = false;
    this.refresh();
  }

  /** Stops polling; a request in flight is ignored when it settles. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Polls as soon as possible (after the request in flight, if any), e.g. after the user acted. */
  refresh(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    void this.poll();
  }

  private async poll(): Promise<void> {
    this.inFlight = true;
    try {
      const next = await this.backend.snapshot();
      if (this.stopped) return;
      const events = deriveEvents(this.last, next, this.now());
      if (this.lastError) events.unshift({ at: this.now(), level: 'info', text: 'scheduler reachable again' });
      this.lastError = '';
      this.last = next;
      this.handlers.onSnapshot(next, events);
    } catch (error) {
      // The backend's messages are written for the user (backend.ts); a bare Error needs no class name.
      const message = error instanceof Error ? error.message : describeError(error);
      if (!this.stopped && message !== this.lastError) this.handlers.onError({ at: this.now(), level: 'error', text: `cannot read the scheduler's state: ${message}` });
      this.lastError = message;
    } finally {
      this.inFlight = false;
      if (!this.stopped) {
        const soon = this.again;
        this.again = false;
        this.timer = setTimeout(() => void this.poll(), soon ? 0 : this.intervalMs);
      }
    }
  }
}
