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

/** The statuses for one destination. */
interface Lane {
  /** STARTED, SUCCESS and FAIL, in the order posted: each is delivered, or given up on, before the next. */
  kept: Pending[];
  /** The latest PROGRESS of each job (by job id), oldest first; sent only while no kept status waits. */
  progress: Map<string, Pending>;
  /** The status being sent, if any. */
  sending?: Pending;
  /** Stops a PROGRESS being sent when a kept status arrives, so that it never waits behind one. */
  progressAbort?: AbortController;
  /** The last kept status for this destination was given up on: later ones past their deadline are not tried. */
  unreachable: boolean;
}

/**
 * Delivers statuses on a new connection each (the legacy wire: delivered = the TCP write completed
 * and the scheduler closed), destinations independently of each other: a dead reply address delays
 * only its own statuses. STARTED, SUCCESS and FAIL go in order per destination, each retried with
 * backoff until `retryMs` after it was posted, so a scheduler that is down for a while loses none.
 * PROGRESS is coalesced (only the latest per job waits), goes only when no other status waits, is
 * tried once, and is abandoned mid-send when another status comes: it never delays one. Bounded:
 * when a destination or the whole outbox is full, the oldest PROGRESS goes first; a STARTED,
 * SUCCESS or FAIL is dropped only with an error in the log.
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
    private readonly clock: () => number = Date.now,
  ) {}

  /** True when nothing waits for `to`. */
  idleFor(to: Address): boolean {
    return !this.lanes.has(formatAddress(to));
  }

  /** Statuses waiting or being sent, over every destination. */
  get size(): number {
    return this.count;
  }

  /** Queues a status: a PROGRESS in place of the job's last one, any other behind every earlier one for its destination. */
  post(item: OutgoingStatus): void {
    const key = formatAddress(item.to);
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { kept: [], progress: new Map(), unreachable: false }));
    const progress = item.status.type === 'PROGRESS';
    const jobId = item.status.job_id ?? '';
    // What this status makes moot: an older PROGRESS of the same job, waiting or being sent.
    if (lane.progress.delete(jobId)) this.count -= 1;
    if (!progress) lane.progressAbort?.abort();
    const full = laneSize(lane) >= this.bounds.perDestination
      ? { scope: [lane], why: `${this.bounds.perDestination} statuses already wait for ${key}` }
      : this.count >= this.bounds.total ? { scope: [...this.lanes.values()], why: `${this.bounds.total} statuses already wait` } : undefined;
    if (full && !this.evict(full.scope, item, full.why)) {
      if (laneSize(lane) === 0) this.lanes.delete(key);
      return;
    }
    const pending = { ...item, deadline: this.clock() + this.retryMs, seq: this.seq++ };
    if (progress) lane.progress.set(jobId, pending);
    else lane.kept.push(pending);
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
    let victim: { lane: Lane; item: Pending } | undefined;
    for (const lane of scope) {
      const oldest = lane.progress.values().next().value;
      if (oldest && (!victim || oldest.seq < victim.item.seq)) victim = { lane, item: oldest };
    }
    if (victim) {
      victim.lane.progress.delete(victim.item.status.job_id ?? '');
    } else if (incoming.status.type !== 'PROGRESS') {
      const longest = scope.reduce((a, b) => (b.kept.length > a.kept.length ? b : a));
      if (longest.kept.length > 0) victim = { lane: longest, item: longest.kept.shift()! };
    }
    if (!victim) {
      this.dropped(incoming, why);
      return false;
    }
    this.count -= 1;
    this.dropped(victim.item, why);
    return true;
  }

  private dropped({ to, status }: OutgoingStatus, why: string): void {
    const fields = { job: status.job_id || undefined, to: formatAddress(to) };
    if (status.type === 'PROGRESS') this.log.debug(`dropped a PROGRESS report: ${why}`, fields);
    else this.log.error(`dropped ${status.type} for ${formatAddress(to)}: status outbox full (${why})`, fields);
  }

  private async runLane(key: string, lane: Lane): Promise<void> {
    for (let item = next(lane); item; item = next(lane)) {
      lane.sending = item;
      if (item.status.type === 'PROGRESS') await this.deliverProgress(item, lane);
      else lane.unreachable = !(await this.deliver(item, lane.unreachable));
      lane.sending = undefined;
      this.count -= 1;
    }
    this.lanes.delete(key);
  }

  /** Sends a status, retrying until its deadline; false when it was given up on. */
  private async deliver(item: Pending, unreachable: boolean): Promise<boolean> {
    const { to, status, legacy, deadline } = item;
    // Behind a status this destination never took, and out of time (or shutting down): another
    // connection would only wait as long again, so a dead address empties its lane at once.
    if (unreachable && (this.clock() >= deadline || this.abort.signal.aborted)) {
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
        if (this.clock() >= deadline || this.abort.signal.aborted) {
          this.gaveUp(item, describeError(error));
          return false;
        }
        if (attempt === 1) this.log.warn(`scheduler at ${formatAddress(to)} unreachable, retrying ${status.type}: ${describeError(error)}`);
        await sleep(Math.min(defaultBackoff(attempt), Math.max(0, deadline - this.clock())), undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  /** One attempt: a PROGRESS is worth nothing once the next one, or any other status, is due. */
  private async deliverProgress(item: Pending, lane: Lane): Promise<void> {
    lane.progressAbort = new AbortController();
    try {
      const signal = AbortSignal.any([lane.progressAbort.signal, this.abort.signal]);
      await this.send(item.to, encodeStatus(item.status), { connectTimeoutMs: 2000, ioTimeoutMs: 5000, signal });
    } catch (error) {
      this.log.debug(`PROGRESS not delivered to ${formatAddress(item.to)}: ${describeError(error)}`, { job: item.status.job_id || undefined });
    } finally {
      lane.progressAbort = undefined;
    }
  }

  private gaveUp({ to, status }: Pending, why: string): void {
    const fields = { job: status.job_id || undefined, gave_up_after_s: Math.round(this.retryMs / 1000) };
    this.log.error(`could not deliver ${status.type} to the scheduler at ${formatAddress(to)}: ${why}`, fields);
  }
}

/** A lane's next status to send: its oldest kept one, else its oldest PROGRESS. */
function next(lane: Lane): Pending | undefined {
  const kept = lane.kept.shift();
  if (kept) return kept;
  const progress = lane.progress.values().next().value;
  if (progress) lane.progress.delete(progress.status.job_id ?? '');
  return progress;
}

function laneSize(lane: Lane): number {
  return lane.kept.length + lane.progress.size + (lane.sending ? 1 : 0);
}
