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

/** How many statuses may wait (the one being sent included): for one destination, and in all. */
export interface OutboxBounds {
  perDestination: number;
  total: number;
}

/** Bounds for a node queueing up to `maxQueue` jobs: a FAIL for each at shutdown fits one destination. */
export function outboxBounds(maxQueue: number): OutboxBounds {
  const perDestination = 2 * maxQueue + 64;
  return { perDestination, total: 8 * perDestination };
}

interface Pending extends OutgoingStatus {
  /** Retries stop at this time (ms since the epoch): a status waits at most `retryMs` in all. */
  deadline: number;
  seq: number;
}

/** The statuses for one destination: delivered one at a time, in order. */
interface Lane {
  waiting: Pending[];
  sending: boolean;
  /** The last status for this destination was given up on: later ones past their deadline are not tried. */
  unreachable: boolean;
}

/**
 * Delivers statuses on a new connection each, in order per destination, and destinations
 * independently of each other: a dead reply address delays only its own statuses. A delivery
 * that fails is retried with backoff until `retryMs` after it was posted, so a briefly restarting
 * scheduler loses nothing. Bounded: when a destination or the whole outbox is full, the oldest
 * PROGRESS goes first; a STARTED, SUCCESS or FAIL is dropped only with an error in the log.
 */
export class StatusOutbox {
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private count = 0;
  private seq = 0;

  constructor(
    private readonly log: Logger,
    private readonly retryMs: number,
    private readonly send: FrameSender = sendFrame,
    private readonly bounds: OutboxBounds = outboxBounds(1000),
  ) {}

  /** True when nothing waits for `to` (progress reports are skipped otherwise). */
  idleFor(to: Address): boolean {
    return !this.lanes.has(formatAddress(to));
  }

  /** Statuses waiting or being sent, over every destination. */
  get size(): number {
    return this.count;
  }

  /** Queues a status behind every earlier one for the same destination. */
  post(item: OutgoingStatus): void {
    const key = formatAddress(item.to);
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { waiting: [], sending: false, unreachable: false }));
    const full = laneSize(lane) >= this.bounds.perDestination
      ? { scope: [lane], why: `${this.bounds.perDestination} statuses already wait for ${key}` }
      : this.count >= this.bounds.total ? { scope: [...this.lanes.values()], why: `${this.bounds.total} statuses already wait` } : undefined;
    if (full && !this.evict(full.scope, item, full.why)) {
      if (laneSize(lane) === 0) this.lanes.delete(key);
      return;
    }
    lane.waiting.push({ ...item, deadline: Date.now() + this.retryMs, seq: this.seq++ });
    this.count += 1;
    if (lane.sending) return;
    const run = this.runLane(key, lane);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Waits for queued statuses, giving up on retries after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    while (this.running.size > 0) await Promise.all(this.running);
    clearTimeout(timer);
  }

  /**
   * Makes room for `incoming` in `scope`: drops the oldest waiting PROGRESS, or the incoming one if
   * it is a PROGRESS itself, else the oldest waiting status of the longest lane. False when
   * `incoming` is the one dropped (or nothing waits that could go).
   */
  private evict(scope: Lane[], incoming: OutgoingStatus, why: string): boolean {
    let victim: { lane: Lane; index: number } | undefined;
    for (const lane of scope) {
      const index = lane.waiting.findIndex((p) => p.status.type === 'PROGRESS');
      if (index >= 0 && (!victim || lane.waiting[index]!.seq < victim.lane.waiting[victim.index]!.seq)) victim = { lane, index };
    }
    if (!victim && incoming.status.type === 'PROGRESS') {
      this.dropped(incoming, why);
      return false;
    }
    if (!victim) {
      const longest = scope.reduce((a, b) => (b.waiting.length > a.waiting.length ? b : a));
      if (longest.waiting.length === 0) {
        this.dropped(incoming, why);
        return false;
      }
      victim = { lane: longest, index: 0 };
    }
    const [gone] = victim.lane.waiting.splice(victim.index, 1);
    this.count -= 1;
    this.dropped(gone!, why);
    return true;
  }

  private dropped({ to, status }: OutgoingStatus, why: string): void {
    const fields = { job: status.job_id || undefined, to: formatAddress(to) };
    if (status.type === 'PROGRESS') this.log.debug(`dropped a PROGRESS report: ${why}`, fields);
    else this.log.error(`dropped ${status.type} for ${formatAddress(to)}: status outbox full (${why})`, fields);
  }

  private async runLane(key: string, lane: Lane): Promise<void> {
    lane.sending = true;
    for (let item = lane.waiting.shift(); item; item = lane.waiting.shift()) {
      lane.unreachable = !(await this.deliver(item, lane.unreachable));
      this.count -= 1;
    }
    lane.sending = false;
    this.lanes.delete(key);
  }

  /** Sends one status, retrying until its deadline; false when it was given up on. */
  private async deliver(item: Pending, unreachable: boolean): Promise<boolean> {
    const { to, status, legacy, deadline } = item;
    // Behind a status this destination never took, and out of time (or shutting down): another
    // connection would only wait as long again, so a dead address empties its lane at once.
    if (unreachable && (Date.now() >= deadline || this.abort.signal.aborted)) {
      this.gaveUp(item, 'earlier statuses to it were not taken either');
      return false;
    }
    const payload = encodeStatus(legacy ? { type: status.type } : status);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(to, payload, { connectTimeoutMs: 2000, ioTimeoutMs: 5000, signal: this.abort.signal });
        this.log.debug('status sent', { type: status.type, job: status.job_id || undefined, to: formatAddress(to) });
        return true;
      } catch (error) {
        if (Date.now() >= deadline || this.abort.signal.aborted) {
          this.gaveUp(item, describeError(error));
          return false;
        }
        if (attempt === 1) this.log.warn(`scheduler at ${formatAddress(to)} unreachable, retrying ${status.type}: ${describeError(error)}`);
        await sleep(Math.min(defaultBackoff(attempt), Math.max(0, deadline - Date.now())), undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  private gaveUp({ to, status }: Pending, why: string): void {
    const fields = { job: status.job_id || undefined, gave_up_after_s: Math.round(this.retryMs / 1000) };
    const message = `could not deliver ${status.type} to the scheduler at ${formatAddress(to)}: ${why}`;
    if (status.type === 'PROGRESS') this.log.debug(message, fields);
    else this.log.error(message, fields);
  }
}

function laneSize(lane: Lane): number {
  return lane.waiting.length + (lane.sending ? 1 : 0);
}
