import type { Status, StatusTypeName } from '../protocol/messages.js';
import type { SessionChannel } from '../session/channel.js';
import type { Logger } from '../log.js';

/** Statuses kept for the scheduler at most: beyond it the oldest is dropped, and the log says so. */
export const SESSION_OUTBOX_LIMIT = 10_000;

/**
 * The statuses of jobs that came over sessions. STARTED, SUCCESS and FAIL are kept, in order, until
 * the scheduler says it saved them (status_ack), and sent again on every new session: a scheduler
 * that restarts, or a connection that breaks, loses none. PROGRESS goes out only on an open session.
 */
export class SessionOutbox {
  private readonly kept: Status[] = [];
  private channel?: SessionChannel;
  private idle: Array<() => void> = [];

  constructor(private readonly log: Logger, private readonly limit = SESSION_OUTBOX_LIMIT) {}

  /** A new session to the scheduler: everything kept goes out on it, in order. */
  attach(channel: SessionChannel): void {
    this.channel = channel;
    for (const status of this.kept) channel.send({ kind: 'status', status });
  }

  post(status: Status): void {
    if (status.type !== 'PROGRESS') {
      if (this.kept.length >= this.limit) {
        const dropped = this.kept.shift()!;
        this.log.error(`status outbox full (${this.limit}): dropped ${dropped.type} of job ${dropped.job_id} that the scheduler never acknowledged`);
      }
      this.kept.push(status);
    }
    if (this.channel?.open) this.channel.send({ kind: 'status', status });
  }

  /** The scheduler saved this status: forget it. */
  acked(jobId: string, type: StatusTypeName): void {
    const index = this.kept.findIndex((s) => s.job_id === jobId && s.type === type);
    if (index >= 0) this.kept.splice(index, 1);
    if (this.kept.length === 0) for (const resolve of this.idle.splice(0)) resolve();
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
}
