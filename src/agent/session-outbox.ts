import type { Status, StatusTypeName } from '../protocol/messages.js';
import type { SessionChannel } from '../session/channel.js';
import type { Logger } from '../log.js';

/** Statuses kept for the scheduler at most: beyond it the oldest is dropped, and the log says so. */
export const SESSION_OUTBOX_LIMIT = 10_000;

/** Job ids named in one log line about statuses given up on. */
const IDS_IN_A_LINE = 5;

interface Kept {
  status: Status;
  /** When it was posted, ms since the epoch. */
  at: number;
}

/**
 * The statuses of jobs that came over sessions. STARTED, SUCCESS and FAIL are kept, in order, until
 * the scheduler says it saved them (status_ack), and sent again on every new session: a scheduler
 * that restarts, or a connection that breaks, loses none. Each is kept for `retryMs` at least (the
 * node's --status-retry) and then given up on, with an error in the log, as is the oldest beyond
 * `limit`. PROGRESS is never kept: it goes out on an open session only, so nothing but the latest
 * ever waits for a scheduler and none delays a final status.
 */
export class SessionOutbox {
  private readonly kept: Kept[] = [];
  private channel?: SessionChannel;
  private idle: Array<() => void> = [];

  constructor(
    private readonly log: Logger,
    private readonly retryMs = Infinity,
    private readonly limit = SESSION_OUTBOX_LIMIT,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Statuses waiting for the scheduler's acknowledgement. */
  get size(): number {
    return this.kept.length;
  }

  /** A new session to the scheduler: everything kept (and not given up on) goes out on it, in order. */
  attach(channel: SessionChannel): void {
    this.channel = channel;
    this.expire();
    for (const { status } of this.kept) channel.send({ kind: 'status', status });
  }

  post(status: Status): void {
    if (status.type !== 'PROGRESS') {
      this.expire();
      if (this.kept.length >= this.limit) {
        const dropped = this.kept.shift()!.status;
        this.log.error(`status outbox full (${this.limit}): dropped ${dropped.type} of job ${dropped.job_id} that the scheduler never acknowledged`);
      }
      this.kept.push({ status, at: this.clock() });
    }
    if (this.channel?.open) this.channel.send({ kind: 'status', status });
  }

  /** The scheduler saved this status: forget it. */
  acked(jobId: string, type: StatusTypeName): void {
    const index = this.kept.findIndex(({ status }) => status.job_id === jobId && status.type === type);
    if (index >= 0) this.kept.splice(index, 1);
    if (this.kept.length === 0) this.settled();
  }

  /** Resolves once every kept status is acknowledged, or after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    if (this.kept.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); }),
    ]);
    clearTimeout(timer);
    if (this.kept.length > 0) this.log.warn(`stopping with ${this.kept.length} status(es) the scheduler has not acknowledged`);
  }

  /** Gives up on the statuses kept longer than retryMs (the oldest are first). */
  private expire(): void {
    const before = this.clock() - this.retryMs;
    let count = 0;
    while (count < this.kept.length && this.kept[count]!.at < before) count += 1;
    if (count === 0) return;
    const gone = this.kept.splice(0, count).map(({ status }) => `${status.type} of job ${status.job_id}`);
    const named = gone.length > IDS_IN_A_LINE ? `${gone.slice(0, IDS_IN_A_LINE).join(', ')} and ${gone.length - IDS_IN_A_LINE} more` : gone.join(', ');
    this.log.error(`gave up on ${gone.length} status(es) the scheduler did not acknowledge within ${Math.round(this.retryMs / 1000)} s (--status-retry): ${named}`);
    if (this.kept.length === 0) this.settled();
  }

  private settled(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
