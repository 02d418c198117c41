import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Job, Status } from '../protocol/messages.js';
import { exponentialBackoff } from '../transport/backoff.js';
import { formatAddress, type Address } from '../transport/address.js';
import type { SessionChannel } from '../session/channel.js';
import type { SessionSecret } from '../session/crypto.js';
import { openSession, type SessionTiming } from '../session/handshake.js';

/** Delay before reconnection attempt n to a node whose session failed or ended. */
const reconnectDelayMs = exponentialBackoff(250, 5000);
/** How long a node may take to acknowledge a job it was sent. */
const ACCEPT_TIMEOUT_MS = 5000;
/** How long the session of a removed node stays open for its answer to the request to stop its job. */
const RETIRE_GRACE_MS = 5000;

/** What the sessions tell the scheduler. */
export interface SessionEvents {
  /** The node proved the key: it is up. */
  reached(node: string): void;
  /** The session failed or ended: the node is down until reached again. */
  lost(node: string, reason: string): void;
  /** A status arrived on the node's session; the promise settles once it is saved (then it is acknowledged). */
  status(node: string, status: Status): Promise<void> | void;
}

interface Link {
  address: Address;
  channel?: SessionChannel;
  attempt: number;
  timer?: NodeJS.Timeout;
  lastError?: string;
  /** Jobs sent and not yet acknowledged, by id. */
  waiting: Map<string, { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>;
  /** Called once a final status of the node was saved and acknowledged. */
  acknowledged?: (jobId: string) => void;
}

/**
 * One authenticated session per pktgen node, kept open and reopened with backoff: jobs and cancels
 * go out on it, the node's acknowledgements and statuses come back on it.
 */
export class NodeSessions {
  private readonly links = new Map<string, Link>();
  /** Sessions of removed nodes, kept open a little for the node's answer: how to close each now. */
  private readonly retiring = new Set<() => void>();
  private stopped = false;

  constructor(private readonly options: {
    secret: SessionSecret;
    /** The scheduler's name in the handshake. */
    name: string;
    log: Logger;
    events: SessionEvents;
    timing?: SessionTiming;
  }) {}

  /** Keeps a session open to `node` at `address` (reopening it if the address changed). */
  watch(node: string, address: Address): void {
    const link = this.links.get(node);
    if (link && link.address.host === address.host && link.address.port === address.port) return;
    if (link) this.drop(node, 'the node moved');
    this.links.set(node, { address, attempt: 0, waiting: new Map() });
    this.connect(node);
  }

  /** Stops keeping a session to `node` (it became a legacy node, or was removed). */
  forget(node: string): void {
    this.drop(node, 'no longer a session node');
  }

  /**
   * Stops keeping a session to a node that was removed. If it was just asked to stop `stopJob`, an
   * open session stays until the node's final status for that job is acknowledged (the node then
   * need not keep it), for at most RETIRE_GRACE_MS; it is never reopened.
   */
  retire(node: string, stopJob?: string): void {
    const link = this.links.get(node);
    const channel = link?.channel;
    if (!link || stopJob === undefined || !channel?.open) return this.drop(node, 'node removed');
    this.links.delete(node);
    clearTimeout(link.timer);
    this.failWaiting(link, 'node removed');
    const close = (): void => {
      clearTimeout(timer);
      this.retiring.delete(close);
      channel.close('node removed');
    };
    const timer = setTimeout(close, RETIRE_GRACE_MS);
    timer.unref();
    this.retiring.add(close);
    link.acknowledged = (jobId) => {
      if (jobId === stopJob) close();
    };
    channel.once('closed', close);
  }

  /** Sends a job; resolves once the node acknowledged it, rejects when it cannot be delivered. */
  deliver(node: string, job: Partial<Job> & { id: string }): Promise<void> {
    const link = this.links.get(node);
    if (!link?.channel?.open) return Promise.reject(new Error(`no session with node ${node}${link?.lastError ? ` (${link.lastError})` : ''}`));
    const channel = link.channel;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        link.waiting.delete(job.id);
        reject(new Error(`node ${node} did not acknowledge job ${job.id} within ${ACCEPT_TIMEOUT_MS / 1000} s`));
      }, ACCEPT_TIMEOUT_MS);
      link.waiting.set(job.id, { resolve, reject, timer });
      channel.send({ kind: 'job', job });
    });
  }

  /** Asks a node to stop a job; false when there is no session to ask on. */
  cancel(node: string, jobId: string): boolean {
    return this.links.get(node)?.channel?.send({ kind: 'job', job: { id: jobId, cancel: true } }) ?? false;
  }

  /** Closes every session. */
  close(): void {
    this.stopped = true;
    for (const node of [...this.links.keys()]) this.drop(node, 'scheduler stopping');
    for (const close of [...this.retiring]) close();
  }

  private drop(node: string, reason: string): void {
    const link = this.links.get(node);
    if (!link) return;
    this.links.delete(node);
    clearTimeout(link.timer);
    link.channel?.close(reason);
    this.failWaiting(link, reason);
  }

  private connect(node: string): void {
    const link = this.links.get(node);
    if (!link || this.stopped) return;
    const { secret, name, log, events, timing } = this.options;
    openSession(link.address, secret, name, 3000, timing).then((channel) => {
      if (this.links.get(node) !== link || this.stopped) return channel.close('not wanted any more');
      link.channel = channel;
      link.attempt = 0;
      link.lastError = undefined;
      log.info(`session with node ${node} at ${formatAddress(link.address)} open`);
      channel.on('message', (message) => {
        if (message.kind === 'accepted') {
          const waiting = link.waiting.get(message.jobId);
          link.waiting.delete(message.jobId);
          if (waiting) {
            clearTimeout(waiting.timer);
            waiting.resolve();
          }
        } else if (message.kind === 'status') {
          const { status } = message;
          Promise.resolve(events.status(node, status)).then(() => {
            if (status.type === 'PROGRESS') return;
            channel.send({ kind: 'statusAck', jobId: status.job_id, type: status.type });
            if (status.type !== 'STARTED') link.acknowledged?.(status.job_id);
          }, (error: Error) => channel.close(`status not saved (${describeError(error)}): the node sends it again on the next session`));
        }
      });
      channel.on('closed', (reason) => {
        if (this.links.get(node) !== link) return;
        link.channel = undefined;
        this.failWaiting(link, `session ended: ${reason}`);
        this.retry(node, link, `session ended: ${reason}`);
      });
      channel.start();
      events.reached(node);
    }, (error: Error) => {
      if (this.links.get(node) !== link) return;
      this.retry(node, link, describeError(error));
    });
  }

  private retry(node: string, link: Link, reason: string): void {
    if (this.stopped) return;
    // One log line per distinct failure, not one per attempt: a node that is down stays quiet.
    if (reason !== link.lastError) this.options.log.warn(`node ${node}: ${reason}`);
    link.lastError = reason;
    this.options.events.lost(node, reason);
    link.attempt += 1;
    link.timer = setTimeout(() => this.connect(node), reconnectDelayMs(link.attempt));
    link.timer.unref();
  }

  private failWaiting(link: Link, reason: string): void {
    for (const [id, waiting] of link.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(reason));
      link.waiting.delete(id);
    }
  }
}
