import { setTimeout as sleep } from 'node:timers/promises';
import { encodeStatus, type Status, type StatusTypeName } from '../protocol/messages.js';
import { sendFrame, defaultBackoff } from '../transport/client.js';
import { formatAddress, type Address } from '../transport/address.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

/** One status to deliver, and whether the job was a legacy one (no id: send the type alone). */
export interface OutgoingStatus {
  to: Address;
  status: Partial<Status> & { type: StatusTypeName };
  legacy: boolean;
}

export type FrameSender = typeof sendFrame;

/**
 * Delivers statuses one at a time, in order, each on a new connection. A delivery that fails
 * is retried with backoff for up to `retryMs`, so a briefly restarting scheduler loses nothing.
 */
export class StatusOutbox {
  private chain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(
    private readonly log: Logger,
    private retryMs: number,
    private readonly send: FrameSender = sendFrame,
  ) {}

  private backlog = 0;

  /** True when nothing is waiting to be delivered (progress reports are skipped otherwise). */
  get idle(): boolean {
    return this.backlog === 0;
  }

  /** Queues a status behind every earlier one. */
  post(item: OutgoingStatus): void {
    this.backlog += 1;
    this.chain = this.chain.then(() => this.deliver(item)).finally(() => { this.backlog -= 1; });
  }

  /** Waits for queued statuses, giving up on retries after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    this.retryMs = Math.min(this.retryMs, graceMs);
    await this.chain;
    clearTimeout(timer);
  }

  private async deliver({ to, status, legacy }: OutgoingStatus): Promise<void> {
    const payload = encodeStatus(legacy ? { type: status.type } : status);
    const deadline = Date.now() + this.retryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(to, payload, { connectTimeoutMs: 2000, ioTimeoutMs: 5000, signal: this.abort.signal });
        this.log.debug('status sent', { type: status.type, job: status.job_id || undefined, to: formatAddress(to) });
        return;
      } catch (error) {
        if (Date.now() >= deadline || this.abort.signal.aborted) {
          this.log.error(`could not deliver ${status.type} to the scheduler at ${formatAddress(to)}: ${describeError(error)}`, {
            job: status.job_id || undefined,
            gave_up_after_s: Math.round(this.retryMs / 1000),
          });
          return;
        }
        if (attempt === 1) this.log.warn(`scheduler at ${formatAddress(to)} unreachable, retrying ${status.type}: ${describeError(error)}`);
        await sleep(Math.min(defaultBackoff(attempt), Math.max(0, deadline - Date.now())), undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }
}
