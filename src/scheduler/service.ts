import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { decodeStatus, type Status } from '../protocol/messages.js';
import { NodeSessions } from './node-sessions.js';
import type { SessionSecret } from '../session/crypto.js';
import type { SessionTiming } from '../session/handshake.js';
import type { Allowlist } from '../transport/allowlist.js';
import { sendFrame } from '../transport/client.js';
import { startFrameServer, type FrameServer, type Peer } from '../transport/server.js';
import type { Address } from '../transport/address.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { LogLimiter, connectionErrorLog } from '../log-limit.js';
import type { SchedulerStore, LoadedFile } from '../store/store.js';
import { SchedulerCore, DEFAULT_CORE_CONFIG, type CoreConfig, type Effect, type NewJob, type NewNode, type SchedulerEvent, type StepResult } from './core.js';
import type { JobRecord, NodeRecord } from './types.js';
import type { JobSpec } from '../input/job.js';
import { Delivery } from './delivery.js';
import { NodeAddresses } from './node-addresses.js';
import { TurnBatch } from './turn-batch.js';

/**
 * Listening sockets for statuses. libuv takes one connection per socket per event-loop turn and
 * every job brings two status connections, so one socket capped dispatch near 3,500 jobs/s. More
 * sockets mean bigger turns: fewer transactions, but a longer wait from a status to the next job
 * (bench/scheduler.ts: 8 keeps that p99 under 5 ms; 16 and 32 gain 2-5% in rate and cost 2-4x in p99).
 */
const STATUS_LISTENERS = 8;

/** Settings of the scheduler's I/O shell. */
export interface SchedulerServiceOptions {
  listen: Address;
  store: SchedulerStore;
  log: Logger;
  tickMs?: number;
  core?: Partial<CoreConfig>;
  clock?: () => number;
  send?: typeof sendFrame;
  /**
   * The cluster key: pktgen nodes are driven over authenticated sessions. Without it every node is
   * driven over the legacy wire (as the old scheduler did).
   */
  sessionSecret?: SessionSecret;
  /** The scheduler's name in session handshakes. */
  name?: string;
  /** With a key: nodes at these addresses are driven over the legacy wire, and only their statuses are heard on the status port. */
  legacyAllow?: Allowlist;
  /** Session heartbeat and silence (tests shorten them). */
  sessionTiming?: SessionTiming;
}

/** The jobs a step cancelled. */
const cancelledBy = (result: StepResult | undefined): string[] =>
  (result?.effects ?? []).flatMap((effect) => (effect.type === 'jobFinished' && effect.state === 'cancelled' ? [effect.jobId] : []));

/** Events: 'drained' (), when a saved change leaves no job waiting or running. */
export class SchedulerService extends EventEmitter {
  readonly core: SchedulerCore;
  private server?: FrameServer;
  private ticker?: NodeJS.Timeout;
  private readonly clock: () => number;
  private readonly addresses: NodeAddresses;
  /** Jobs and cancel requests on their way to nodes. */
  readonly delivery: Delivery;
  private readonly sessions?: NodeSessions;
  /** What the events of this event-loop turn changed and want done, saved by the next flush. */
  private batch = new TurnBatch();
  private flushQueued = false;
  private stopped = false;

  constructor(private readonly options: SchedulerServiceOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.core = new SchedulerCore(options.store.load(), { ...DEFAULT_CORE_CONFIG, ...options.core });
    this.addresses = new NodeAddresses(options.log);
    if (options.sessionSecret) {
      this.sessions = new NodeSessions({
        secret: options.sessionSecret,
        name: options.name ?? 'pktgen-scheduler',
        log: options.log,
        timing: options.sessionTiming,
        events: {
          reached: (node) => this.handle({ type: 'nodeReached', node, now: this.clock() }),
          lost: (node, reason) => this.handle({ type: 'nodeLost', node, reason, now: this.clock() }),
          status: (node, status) => this.sessionStatus(node, status),
        },
      });
    }
    this.delivery = new Delivery({
      sessions: this.sessions,
      isLegacy: (node) => this.isLegacy(node),
      send: options.send ?? sendFrame,
      log: options.log,
      node: (name) => this.core.state.nodes.get(name),
      statusPort: () => this.statusPort,
      delivered: (jobId) => this.handle({ type: 'jobDelivered', jobId, now: this.clock() }),
      failed: (jobId, reason) => this.handle({ type: 'deliveryFailed', jobId, reason, now: this.clock() }),
    });
  }

  /** Listens for statuses first, then resumes saved work and starts the clock. */
  async start(): Promise<Address> {
    this.server = await startFrameServer({
      host: this.options.listen.host,
      port: this.options.listen.port,
      maxConnections: 1024,
      // Every node may report at once: a short queue drops SYNs, and each drop costs the node 1 s or more.
      backlog: 4096,
      listeners: STATUS_LISTENERS,
      // A status we could not save must not look taken: the node's outbox sends it again.
      resetOnError: true,
      handler: (payload, peer) => this.statusArrived(payload, peer),
      // Anyone who can reach the port can provoke these lines: at most a few per kind and interval.
      onError: connectionErrorLog(new LogLimiter(this.options.log), 'status connection'),
    });
    await Promise.all([...this.core.state.nodes.values()].map((node) => this.addresses.resolve(node)));
    for (const node of this.core.state.nodes.values()) this.keepSession(node);
    this.handle({ type: 'recovered', now: this.clock() });
    this.flush();
    this.ticker = setInterval(() => this.handle({ type: 'ticked', now: this.clock() }), this.options.tickMs ?? 200);
    return this.server.address;
  }

  /** Saves what is pending, stops the clock and the listener; later events (late deliveries) are dropped. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.sessions?.close();
    this.flushQuietly();
    this.stopped = true;
    await this.server?.close();
    this.options.store.close();
  }

  /**
   * Adds or updates nodes, all or none: a node at the HOST:PORT of another (as written or resolved)
   * is refused with ERR_INPUT before any is added. `where(i)` names node i in that error.
   */
  async addNodes(nodes: NewNode[], where: (index: number) => string = (i) => `node ${nodes[i]!.name}`): Promise<void> {
    const ips = await Promise.all(nodes.map((node) => this.addresses.lookup(node)));
    // Checked after the lookups, with no await before the nodes are added: what it checked against stays true.
    this.addresses.checkFree(nodes.map((node, i) => ({ ...node, ip: ips[i]!, where: where(i) })), this.core.state.nodes.values());
    nodes.forEach((node, i) => {
      this.addresses.assign(node.name, ips[i]!);
      this.handle({ type: 'nodeAdded', node, now: this.clock() });
      if (this.server) this.keepSession(this.core.state.nodes.get(node.name)!);
    });
    this.flush();
  }

  /**
   * Removes nodes: their queued jobs end cancelled ("node NAME removed"), a running one is stopped
   * on its node, and they leave the state and the store. Returns the ids of the jobs cancelled.
   */
  removeNodes(names: readonly string[]): string[] {
    const cancelled = names.flatMap((node) => cancelledBy(this.handle({ type: 'nodeRemoved', node, now: this.clock() })));
    this.flush();
    return cancelled;
  }

  /** Cancels every queued and running job of these nodes, which stay. Returns the ids of the jobs cancelled. */
  cancelNodes(names: readonly string[]): string[] {
    const cancelled = names.flatMap((node) => cancelledBy(this.handle({ type: 'nodeCancelRequested', node, now: this.clock() })));
    this.flush();
    return cancelled;
  }

  /** True for a node driven over the unauthenticated legacy wire: no key, marked legacy, or in --legacy-allow. */
  isLegacy(node: NodeRecord): boolean {
    return !this.sessions || node.legacy || (this.options.legacyAllow?.allows(this.addresses.ipOf(node.name) ?? node.host) ?? false);
  }

  /** Keeps a session open to a pktgen node; a legacy node has none. */
  private keepSession(node: NodeRecord): void {
    if (!this.sessions) return;
    if (this.isLegacy(node)) this.sessions.forget(node.name);
    else this.sessions.watch(node.name, { host: node.host, port: node.port });
  }

  /** A status on a node's session: handled like one on the status port, but only for that node's jobs. */
  private sessionStatus(node: string, status: Status): Promise<void> | void {
    this.delivery.sawPktgenNode(node);
    if (status.type === 'PROGRESS') return this.progressed(status.job_id, status.elapsed_s, status.stats?.tx_mbps ?? 0);
    this.handle({
      type: 'statusReceived', jobId: status.job_id, candidates: [node], via: node, status: status.type,
      reason: status.reason, stats: status.stats, now: this.clock(),
    });
    return this.batch.whenSaved();
  }

  /** Queues jobs (one record per listed node) and records the run of the file they came from with their ids, atomically. */
  addJobs(specs: JobSpec[], file?: Omit<LoadedFile, 'jobIds'>): string[] {
    const jobs: NewJob[] = [];
    const ids = this.newJobIds(specs.reduce((count, spec) => count + spec.nodes.length, 0));
    for (const { nodes, priority, data, target, timeoutS, retries } of specs) {
      for (const node of nodes) jobs.push({ id: ids[jobs.length]!, node, priority, data, target, timeoutS, retries });
    }
    const jobIds = jobs.map((job) => job.id);
    this.handle({ type: 'jobsAdded', jobs, now: this.clock() }, file && { ...file, jobIds });
    this.flush();
    return jobIds;
  }

  /** Cancels a pending or running job; true when it was open (and is now cancelled). */
  cancel(jobId: string): boolean {
    const cancelled = cancelledBy(this.handle({ type: 'cancelRequested', jobId, now: this.clock() }));
    this.flush();
    return cancelled.length > 0;
  }

  /** Pauses or resumes a node's queue. */
  setPaused(node: string, paused: boolean): void {
    this.handle({ type: 'pauseChanged', node, paused, now: this.clock() });
    this.flush();
  }

  /** `count` new ids, "j" and 12 hex digits, from one random draw (a draw per job slowed 100k-job files). */
  private newJobIds(count: number): string[] {
    const hex = randomBytes(6 * count).toString('hex');
    const ids = new Set<string>();
    for (let i = 0; i < count; i++) {
      let id = `j${hex.slice(12 * i, 12 * i + 12)}`;
      // A repeat, in this batch or among known jobs, would make the core drop that job.
      while (ids.has(id) || this.core.state.jobs.has(id)) id = `j${randomBytes(6).toString('hex')}`;
      ids.add(id);
    }
    return [...ids];
  }

  /** Handles a status; the promise settles once its change is saved, and only then is the status acknowledged. */
  private statusArrived(payload: Buffer, peer: Peer): Promise<void> | void {
    const status = decodeStatus(payload);
    // Read-only: the core only looks at candidates, so the index's own list is passed as is.
    // Unauthenticated statuses count only for legacy nodes, and never for a job sent over a session.
    const here = this.addresses.nodesAt(peer.remoteAddress);
    // Without a key every node is legacy: the index's own list serves as it is (1,000 nodes may share an address).
    let candidates = this.sessions ? here.filter((name) => this.isLegacy(this.core.state.nodes.get(name)!)) : here;
    const owner = status.job_id !== '' ? this.core.state.jobs.get(status.job_id)?.node : undefined;
    if (owner !== undefined && !this.isLegacy(this.core.state.nodes.get(owner)!)) {
      this.options.log.warn(`ignored unauthenticated ${status.type} from ${peer.remoteAddress} for job ${status.job_id}: node ${owner} reports over its session`);
      return;
    }
    const loopback = peer.remoteAddress.startsWith('127.') || peer.remoteAddress === '::1';
    if (candidates.length === 0 && !loopback) {
      this.options.log.warn(`ignored ${status.type} from ${peer.remoteAddress}: not the address of any node`);
      return;
    }
    if (status.type === 'PROGRESS') {
      this.progressed(status.job_id, status.elapsed_s, status.stats?.tx_mbps ?? 0);
      return;
    }
    // Only a pktgen node names itself: such a node understands cancel requests.
    if (status.node !== '') {
      const node = this.core.state.jobs.get(status.job_id)?.node;
      if (node !== undefined) this.delivery.sawPktgenNode(node);
    }
    if (status.job_id === '' && candidates.length === 0) {
      // The old daemon always reports from and to 127.0.0.1: any node may have sent it.
      candidates = [...this.core.state.nodes.values()].filter((node) => this.isLegacy(node)).map((node) => node.name);
    }
    this.handle({
      type: 'statusReceived', jobId: status.job_id, candidates, status: status.type,
      reason: status.reason, stats: status.stats, now: this.clock(),
    });
    return this.batch.whenSaved();
  }

  /** Live progress of running jobs, reported by nodes each second (not persisted). */
  readonly live = new Map<string, { elapsedS: number; mbps: number }>();

  private progressed(jobId: string, elapsedS: number, mbps: number): void {
    const job = this.core.state.jobs.get(jobId);
    if (!job || (job.state !== 'running' && job.state !== 'sent')) return;
    this.live.set(jobId, { elapsedS, mbps });
  }

  /**
   * Runs one event through the core. Its changes are saved, and its effects carried out, by the
   * flush at the end of this event-loop turn: one transaction for every status of the turn
   * instead of one each, which is what bounded the dispatch rate.
   */
  private handle(event: SchedulerEvent, file?: LoadedFile): StepResult | undefined {
    if (this.stopped) return undefined;
    const result = this.core.handle(event);
    this.batch.add(result, file);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flushQuietly());
    }
    return result;
  }

  /**
   * Saves the batch in one transaction, then carries out its effects: nothing leaves the process
   * (a job to a node, the acknowledgement of a status) before the change behind it is saved.
   * On a failed save: refuses the statuses waiting on the batch (nodes send them again), drops its
   * effects (a job not sent is sent again when its deadline passes), keeps its records for the next
   * flush (the core already moved on), and throws the store's error.
   */
  private flush(): void {
    const batch = this.batch;
    this.batch = new TurnBatch();
    this.flushQueued = false;
    const changes = batch.changes();
    try {
      if (changes) this.options.store.apply(changes);
    } catch (error) {
      batch.settle(error);
      this.batch.retry(batch);
      throw error;
    }
    for (const effect of batch.effects) this.carryOut(effect);
    batch.settle();
    if (batch.changedRecords && this.core.isDrained()) this.emit('drained');
  }

  /** flush() for the end of a turn, where nobody could catch: a failed save is logged. */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch (error) {
      this.options.log.error(`cannot save scheduler state (${describeError(error)}): this turn's jobs were not sent and its statuses were refused (nodes send them again)`);
    }
  }

  private carryOut(effect: Effect): void {
    switch (effect.type) {
      case 'sendJob': return void this.delivery.deliver(this.core.state.jobs.get(effect.jobId)!);
      case 'cancelJob': {
        const node = this.core.state.nodes.get(effect.node);
        return void (node && this.delivery.requestCancel(node, effect.jobId));
      }
      case 'forgetNode': return this.forgetNode(effect.node, effect.stopJob);
      case 'jobFinished':
        this.live.delete(effect.jobId);
        if (effect.state === 'succeeded') this.unsuccessful.delete(effect.jobId);
        else this.unsuccessful.add(effect.jobId);
        return;
      case 'log': return this.options.log[effect.level](effect.message);
    }
  }

  /** A node left: it is asked to stop its job (on its session, kept open a little for that), then forgotten. */
  private forgetNode(node: NodeRecord, stopJob: string | undefined): void {
    if (stopJob !== undefined) {
      this.live.delete(stopJob);
      void this.delivery.requestCancel(node, stopJob);
    }
    this.sessions?.retire(node.name, stopJob);
    this.delivery.forget(node.name);
    this.addresses.forget(node.name);
  }

  /** The port statuses are heard on (the bound one, when asked for port 0). */
  get statusPort(): number {
    return this.server?.address.port ?? this.options.listen.port;
  }

  /** Nodes in insertion order. */
  nodes(): NodeRecord[] {
    return [...this.core.state.nodes.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Jobs in the order they were queued. */
  jobs(): JobRecord[] {
    return [...this.core.state.jobs.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Jobs that ended other than succeeded since this process started, removed ones included (a lost
   * job that succeeds late leaves it): what `--exit-when-done` answers from, whatever was removed.
   */
  readonly unsuccessful = new Set<string>();

  /** True when no job is waiting or running anywhere (the 'drained' event says when it becomes so). */
  isDrained(): boolean {
    return this.core.isDrained();
  }
}
