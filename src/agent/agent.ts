import { lookup } from 'node:dns/promises';
import { isIPv6, type Socket } from 'node:net';
import { decodeJob, type Job, type Stats, type Status } from '../protocol/messages.js';
import { startFrameServer, type FrameServer, type Peer } from '../transport/server.js';
import { formatAddress, type Address } from '../transport/address.js';
import { describeError } from '../errors.js';
import { runEmitter } from '../emitter/runner.js';
import { noRttNote, summaryToStats, type IntervalEchoesEvent, type IntervalEvent } from '../emitter/output.js';
import { IntervalRecorder } from './intervals.js';
import { oneWayFrameMin, type EmitterSpec } from '../emitter/spec.js';
import type { Logger } from '../log.js';
import { LogLimiter, connectionErrorLog } from '../log-limit.js';
import { Allowlist } from '../transport/allowlist.js';
import { jobToSpec, JobRejectedError } from './validate.js';
import type { NodeLimits } from '../input/job.js';
import { StatusOutbox, outboxBounds, type FrameSender } from './status-outbox.js';
import { SessionOutbox } from './session-outbox.js';
import { acceptSession, type SessionTiming } from '../session/handshake.js';
import type { SessionChannel } from '../session/channel.js';
import type { SessionSecret } from '../session/crypto.js';
import { SESSION_MAGIC, type ReceivedMessage } from '../protocol/session-messages.js';
import { replyAddress } from './reply-to.js';
import { JobMemory, REMEMBERED_JOBS } from './job-memory.js';
import type { JobJournal } from './job-journal.js';
import { formatSizeMix } from '../input/sizes.js';

/** Everything a node agent needs; commands/serve.ts builds it from flags. */
export interface AgentOptions {
  name: string;
  listen: Address;
  schedulerPort: number;
  defaultTarget?: Address;
  allowFrom: Allowlist;
  allowTarget: Allowlist;
  limits: NodeLimits;
  maxQueue: number;
  statusRetryMs: number;
  /** Extra time past w + t before a run is killed. */
  graceMs: number;
  helperPath: () => Promise<string>;
  log: Logger;
  /** How every job's traffic leaves (raw mode's interface, GSO): merged into each emitter spec. */
  sendPath?: Pick<EmitterSpec, 'interface' | 'dstMac' | 'gso' | 'clockOffsetNs'>;
  /**
   * The cluster key: schedulers that prove it open a session on the job port. With a key, legacy
   * (unauthenticated) frames are taken only from `legacyAllow`.
   */
  sessionSecret?: SessionSecret;
  /**
   * Legacy (unauthenticated) peers, default none: with a key, the only sources whose legacy frames
   * are run; always, the only addresses besides a job's own source host that its statuses may go to.
   */
  legacyAllow?: Allowlist;
  /** Where the remembered job ids are kept across a restart; without one, in memory only. */
  journal?: JobJournal;
  /** Session heartbeat and silence (tests shorten them). */
  sessionTiming?: SessionTiming;
  /** Test seams. */
  run?: (spec: EmitterSpec, helperPath: string, signal: AbortSignal, timeoutMs: number, onInterval: (event: IntervalEvent | IntervalEchoesEvent) => void) => Promise<Stats>;
  send?: FrameSender;
}

interface QueuedJob {
  job: Job;
  label: string;
  replyTo: Address;
  legacy: boolean;
  /** Came over an authenticated session: its statuses go back over the session. */
  session: boolean;
}

/** Lines the state file may grow to before it is written anew (a job takes about three). */
const JOURNAL_LINES = 4 * REMEMBERED_JOBS;

const SHUTDOWN = 'node shutting down';
const NO_LEGACY_PEERS = new Allowlist([], '--legacy-allow');
const CANCELLED = 'cancelled';

/** The node daemon: receives jobs, runs them one at a time through the emitter, reports statuses. */
export class NodeAgent {
  private server?: FrameServer;
  private readonly queue: QueuedJob[] = [];
  /**
   * What /metrics counts, since start: tx of finished jobs (a success by its result, any other by
   * the intervals it measured before it ended), rx and jobs of the successes.
   */
  readonly totals = { jobs: 0, txPackets: 0, txBytes: 0, rxPackets: 0 };
  /** The running job's measured intervals so far (warm-up excluded): added to totals when it ends. */
  readonly live = { txPackets: 0, txBytes: 0 };
  /** True while a job runs. */
  get busy(): boolean {
    return this.running !== undefined;
  }
  private readonly outbox: StatusOutbox;
  private readonly sessionOutbox: SessionOutbox;
  /** The ids taken and their last status: a job delivered twice runs once. */
  private readonly memory: JobMemory;
  private running?: { item: QueuedJob; abort: AbortController };
  private worker: Promise<void> = Promise.resolve();
  private stopping = false;
  private draining = false;
  private nextTag = 1;

  constructor(private readonly options: AgentOptions) {
    this.outbox = new StatusOutbox(options.log, options.statusRetryMs, options.send, outboxBounds(options.maxQueue));
    this.sessionOutbox = new SessionOutbox(options.log, options.statusRetryMs);
    this.refusals = new LogLimiter(options.log);
    const { journal } = options;
    this.memory = new JobMemory(REMEMBERED_JOBS, journal && ((id, entry) => {
      // Grown to several times what it holds: written anew with just the entries remembered.
      if (journal.append(id, entry, JOURNAL_LINES)) journal.rewrite(this.memory.list());
    }));
  }

  /**
   * Reads the journal into memory and writes it anew. Only once the job port is bound: a second
   * serve on the same port and state folder fails to bind and must not rewrite the first one's file.
   */
  private restoreJournal(): void {
    const { journal, log, name } = this.options;
    if (!journal) return;
    for (const [id, entry] of journal.load(name)) this.memory.restore(id, entry);
    journal.rewrite(this.memory.list());
    if (this.memory.size > 0) log.info(`remembering ${this.memory.size} job id(s) from ${journal.path}: none of them runs again`);
  }

  /** Anyone who can reach the port can provoke refusal lines: at most a few per kind and interval. */
  private readonly refusals: LogLimiter;

  /** Starts listening for jobs; resolves with the bound address. */
  async start(): Promise<Address> {
    const { log, allowFrom } = this.options;
    this.server = await startFrameServer({
      host: this.options.listen.host,
      port: this.options.listen.port,
      maxConnections: 64,
      accept: (peer) => {
        if (allowFrom.allows(peer.remoteAddress)) return true;
        this.refusals.warn('refused connection (not in --allow-from)', `refused connection from ${peer.remoteAddress}: not in --allow-from (${allowFrom})`);
        return false;
      },
      handler: (payload, peer) => this.received(payload, peer),
      divert: this.options.sessionSecret ? { prefix: SESSION_MAGIC, handle: (socket, rest, peer) => this.sessionArrived(socket, rest, peer) } : undefined,
      onError: connectionErrorLog(this.refusals, 'job connection'),
    });
    // Synchronously after the bind: no job is read before the remembered ids are back.
    this.restoreJournal();
    return this.server.address;
  }

  /**
   * Stops: takes no more jobs, fails the running and queued ones with "node shutting down", and
   * delivers their statuses (waiting up to `graceMs` for the scheduler to take or acknowledge them)
   * before it closes the connections: an open session is how the FAILs get there.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // New connections are refused from now on, so a scheduler keeps the jobs it would send.
    this.server?.stopListening();
    for (const item of this.queue.splice(0)) this.report(item, { type: 'FAIL', reason: SHUTDOWN });
    this.running?.abort.abort(SHUTDOWN);
    await this.worker;
    await Promise.all([this.outbox.drain(graceMs), this.sessionOutbox.drain(graceMs)]);
    this.channel?.close('node stopped');
    await this.server?.close();
  }

  /** The newest session: statuses of session jobs go back on it. */
  private channel?: SessionChannel;

  private sessionArrived(socket: Socket, rest: Buffer, peer: Peer): void {
    const { log, name, sessionSecret } = this.options;
    acceptSession(socket, rest, sessionSecret!, name, this.options.sessionTiming).then((channel) => {
      // Proved the key: the connection moves to the places kept for sessions, beyond the caps.
      peer.authenticated();
      log.info(`session with scheduler ${printable(channel.peerName)} at ${peer.remoteAddress}:${peer.remotePort}`);
      this.channel?.close('replaced by a newer session');
      this.channel = channel;
      this.sessionOutbox.attach(channel);
      channel.on('message', (message) => this.sessionMessage(message, peer));
      channel.on('closed', (reason) => log.warn(`session with scheduler ${printable(channel.peerName)} ended: ${reason}`));
      channel.start();
    }, (error: Error) => this.refusals.warn('refused session', `refused session from ${peer.remoteAddress}:${peer.remotePort}: ${describeError(error)}`));
  }

  private sessionMessage(message: ReceivedMessage, peer: Peer): void {
    if (message.kind === 'statusAck') return this.sessionOutbox.acked(message.jobId, message.type);
    if (message.kind !== 'job') return;
    const { job } = message;
    const item: QueuedJob = { job, label: `job ${job.id}`, replyTo: { host: peer.remoteAddress, port: 0 }, legacy: false, session: true };
    if (job.cancel) return this.cancel(item);
    if (this.repeated(item)) return;
    if (this.stopping) {
      // Not acknowledged: the scheduler keeps the job and sends it to the next serve.
      this.options.log.info(`not taking ${item.label}: node shutting down`);
      return;
    }
    this.enqueue(item);
    this.channel?.send({ kind: 'accepted', jobId: job.id });
  }

  private received(payload: Buffer, peer: Peer): void {
    const { sessionSecret, legacyAllow, log } = this.options;
    if (sessionSecret && !legacyAllow?.allows(peer.remoteAddress)) {
      // A node with a key runs unauthenticated frames only from where the operator allows them.
      this.refusals.warn('refused legacy frame', `refused a legacy frame from ${peer.remoteAddress}: not in --legacy-allow (${legacyAllow?.toString() || 'none'}); schedulers must open a session`);
      return;
    }
    const job = decodeJob(payload);
    const legacy = job.id === '';
    const label = legacy ? `legacy job from ${peer.remoteAddress}` : `job ${job.id}`;
    const reply = replyAddress(job.reply_to, peer.remoteAddress, this.options.schedulerPort, legacyAllow ?? NO_LEGACY_PEERS);
    if (reply.ignored) log.warn(`${label}: ignoring ${reply.ignored}; replying to ${formatAddress(reply.to)}`);
    const item: QueuedJob = { job, label, replyTo: reply.to, legacy, session: false };
    if (job.cancel) return this.cancel(item);
    // Refused, not run: the FAIL goes to the source host, the one place a reply is known safe.
    if (reply.refused) return this.reject(item, reply.refused);
    if (this.repeated(item)) return;
    this.enqueue(item);
  }

  /**
   * A job the node has taken before (same id): queued, running or done, it never runs
   * twice. It gets its last status again (over a session, after 'accepted'); one still queued
   * gets its statuses when it runs.
   */
  private repeated(item: QueuedJob): boolean {
    const { id } = item.job;
    if (id === '') return false;
    const arrival = this.memory.arrived(id);
    if (arrival.kind === 'new') return false;
    const again = arrival.last ? `${arrival.last.type} sent again` : 'still queued';
    this.options.log.info(`${item.label} received again: not run twice, ${again}`);
    if (item.session) this.channel?.send({ kind: 'accepted', jobId: id });
    if (arrival.last) this.report(item, arrival.last);
    return true;
  }

  /** Queues a job unless the node is stopping or full (then it gets FAIL with the reason). */
  private enqueue(item: QueuedJob): void {
    const { job, label } = item;
    if (job.id !== '') this.memory.taken(job.id);
    if (this.stopping) return this.report(item, { type: 'FAIL', reason: SHUTDOWN });
    if (this.queue.length >= this.options.maxQueue) {
      return this.reject(item, `node queue full (${this.options.maxQueue} jobs waiting)`);
    }
    this.queue.push(item);
    this.options.log.info(`received ${label}`, { m: job.m, ...(job.rate_bps ? { rate_bps: job.rate_bps } : {}), ...(job.pps ? { pps: job.pps } : {}), ...(job.threads ? { threads: job.threads } : {}), ...(job.sizes?.length ? { sizes: formatSizeMix(job.sizes) } : {}), t: job.t, w: job.w, n: job.n, s_min: job.s_min, s_max: job.s_max, queued: this.queue.length });
    if (!this.draining) this.worker = this.drainQueue();
  }

  /** Stops a running job or drops a queued one; either way its scheduler gets FAIL "cancelled". */
  private cancel(request: QueuedJob): void {
    const id = request.job.id;
    if (this.running && this.running.item.job.id === id && id !== '') {
      this.options.log.info(`cancelling running ${this.running.item.label}`);
      this.running.abort.abort(CANCELLED);
      return;
    }
    const index = this.queue.findIndex((item) => item.job.id === id && id !== '');
    if (index < 0) {
      this.options.log.warn(`cancel for job ${id || '(no id)'}: not running or queued here`);
      return;
    }
    const [item] = this.queue.splice(index, 1);
    this.options.log.info(`cancelled queued ${item!.label}`);
    this.report(item!, { type: 'FAIL', reason: CANCELLED });
  }

  private async drainQueue(): Promise<void> {
    this.draining = true;
    try {
      for (let item = this.queue.shift(); item && !this.stopping; item = this.queue.shift()) {
        await this.runOne(item);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runOne(item: QueuedJob): Promise<void> {
    const abort = new AbortController();
    this.running = { item, abort };
    try {
      let spec: EmitterSpec;
      try {
        spec = await this.checkJob(item.job);
      } catch (error) {
        if (error instanceof JobRejectedError) return this.reject(item, error.message);
        throw error;
      }
      const timeoutMs = (spec.warmupS + spec.durationS) * 1000 + this.options.graceMs;
      this.report(item, { type: 'STARTED' });
      this.options.log.info(`started ${item.label}`, { target: formatAddress(spec.dst), rate_mbps: spec.rateMbps, max_rate_mbps: spec.maxRateMbps });
      const helper = await this.options.helperPath();
      const startedAt = Date.now();
      const intervals = new IntervalRecorder(startedAt);
      const onInterval = (event: IntervalEvent | IntervalEchoesEvent): void => {
        const measured = intervals.add(event);
        if (measured) {
          this.live.txPackets += measured.tx_packets;
          this.live.txBytes += measured.tx_bytes;
        }
        if (event.event !== 'interval' || item.legacy || (!item.session && !this.outbox.idleFor(item.replyTo))) return;
        // The newest intervals, not just this one: a PROGRESS may be coalesced away, its intervals must not.
        this.report(item, { type: 'PROGRESS', elapsed_s: (Date.now() - startedAt) / 1000, stats: { ...intervalStats(event), intervals: intervals.recent() } });
      };
      const stats = await (this.options.run ?? defaultRun)(spec, helper, abort.signal, timeoutMs, onInterval);
      const measured = intervals.result(stats.rx_measured);
      if (measured.length > 0 && !stats.intervals?.length) stats.intervals = measured;
      // Latency was asked for and none was measured: the result says why, not just nothing.
      if (spec.latency && !stats.rtt_us) {
        stats.rtt_note ||= noRttNote(stats.rx_measured, formatAddress(spec.dst));
        this.options.log.warn(`${item.label}: no RTT measured: ${stats.rtt_note}`);
      }
      this.options.log.info(`${item.label} succeeded`, {
        tx_packets: stats.tx_packets, tx_mbps: stats.tx_mbps.toFixed(3), mode: stats.mode, fallback: stats.fallback || undefined,
        loss_ratio: stats.rx_measured ? stats.loss_ratio : undefined, rtt_p50_us: stats.rtt_us?.p50,
      });
      this.report(item, { type: 'SUCCESS', stats });
      this.counted({ txPackets: stats.tx_packets, txBytes: stats.tx_bytes }, stats.rx_packets);
    } catch (error) {
      const reason = abort.signal.aborted ? String(abort.signal.reason) : describeError(error);
      // Stopped on purpose (a cancel, the node stopping) is not a failure of the job's own.
      if (reason === CANCELLED) this.options.log.info(`cancelled ${item.label}`);
      else if (reason === SHUTDOWN) this.options.log.info(`stopped ${item.label}: ${SHUTDOWN}`);
      else this.options.log.error(`${item.label} failed: ${reason}`);
      this.report(item, { type: 'FAIL', reason });
      this.counted({ ...this.live });
    } finally {
      this.running = undefined;
    }
  }

  /** A job ended: what it sent goes to the totals (rx only from a success's result), and nothing is live. */
  private counted(sent: { txPackets: number; txBytes: number }, rxPackets?: number): void {
    this.totals.txPackets += sent.txPackets;
    this.totals.txBytes += sent.txBytes;
    if (rxPackets !== undefined) {
      this.totals.jobs++;
      this.totals.rxPackets += rxPackets;
    }
    Object.assign(this.live, { txPackets: 0, txBytes: 0 });
  }

  /** Validates fields, resolves the target and applies --allow-target. */
  private async checkJob(job: Job): Promise<EmitterSpec> {
    const spec = jobToSpec(job, this.options.defaultTarget, this.options.limits, this.nextTag++);
    let ip: string;
    try {
      ip = (await lookup(spec.dst.host)).address;
    } catch (error) {
      throw new JobRejectedError(`target ${formatAddress(spec.dst)}: cannot resolve (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`);
    }
    if (!this.options.allowTarget.allows(ip)) {
      throw new JobRejectedError(`target ${formatAddress(spec.dst)} (${ip}) is not in --allow-target (${this.options.allowTarget})`);
    }
    // One-way figures whenever every frame has room for the reflector's answer: an old reflector
    // just echoes the request back, and the result says so.
    const oneWay = spec.sizeMin >= oneWayFrameMin(isIPv6(ip) ? 6 : 4);
    return { ...spec, ...this.options.sendPath, dst: { host: ip, port: spec.dst.port }, ...(oneWay ? { oneWay } : {}) };
  }

  private reject(item: QueuedJob, reason: string): void {
    this.options.log.warn(`refused ${item.label}: ${reason}`);
    this.report(item, { type: 'FAIL', reason });
  }

  private report(item: QueuedJob, status: { type: 'STARTED' | 'SUCCESS' | 'FAIL' | 'PROGRESS'; reason?: string; stats?: Stats; elapsed_s?: number }): void {
    const full: Status = { reason: '', elapsed_s: 0, ...status, job_id: item.job.id, node: this.options.name };
    if (item.job.id !== '') this.memory.posted(full);
    if (item.session) {
      this.sessionOutbox.post(full);
      return;
    }
    this.outbox.post({
      to: item.replyTo,
      legacy: item.legacy,
      status: { ...status, job_id: item.job.id, node: this.options.name },
    });
  }
}

async function defaultRun(spec: EmitterSpec, helperPath: string, signal: AbortSignal, timeoutMs: number, onInterval: (event: IntervalEvent | IntervalEchoesEvent) => void): Promise<Stats> {
  return summaryToStats(await runEmitter(spec, { helperPath, signal, timeoutMs, onInterval }));
}

/** A one-interval report as partial Stats: what a live view needs. */
function intervalStats(event: IntervalEvent): Stats {
  return { tx_packets: event.tx_packets, tx_bytes: event.tx_bytes, tx_mbps: event.tx_mbps, tx_mpps_mean: event.tx_mpps } as Stats;
}

/** A name a peer chose, fit for one log line. */
function printable(text: string): string {
  return JSON.stringify(text.slice(0, 100));
}
