import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { decodeStatus, type Stats, type Status } from '../protocol/messages.js';
import { LiveProgress } from './live-progress.js';
import { NodeSessions } from './node-sessions.js';
import type { SessionSecret } from '../session/crypto.js';
import type { SessionTiming } from '../session/handshake.js';
import type { Allowlist } from '../transport/allowlist.js';
import { sendFrame } from '../transport/client.js';
import { startFrameServer, type FrameServer, type Peer } from '../transport/server.js';
import type { Address } from '../transport/address.js';
import { PktgenError, describeError } from '../errors.js';
import { escapeControl } from '../text.js';
import type { Logger } from '../log.js';
import { LogLimiter, connectionErrorLog } from '../log-limit.js';
import type { SchedulerStore, LoadedFile, SkippedRow } from '../store/store.js';
import { SchedulerCore, DEFAULT_CORE_CONFIG, type CoreConfig, type Effect, type NewJob, type NewNode, type SchedulerEvent, type StepResult } from './core.js';
import type { JobRecord, NodeRecord } from './types.js';
import type { JobSpec } from '../input/job.js';
import { Delivery } from './delivery.js';
import { NodeAddresses } from './node-addresses.js';
import { TurnBatch, leavesProcess } from './turn-batch.js';
import { submissionRows, type Submission } from './records.js';
import { parseWireJobId, wireJobId } from './wire-id.js';
import { SearchRunner } from './search-runner.js';
import type { SearchRecord } from './search.js';

/**
 * Listening sockets for statuses. libuv takes one connection per socket per event-loop turn and
 * every job brings two status connections, so one socket capped dispatch near 3,500 jobs/s. More
 * sockets mean bigger turns: fewer transactions, but a longer wait from a status to the next job
 * (bench/scheduler.ts: 8 keeps that p99 under 5 ms; 16 and 32 gain 2-5% in rate and cost 2-4x in p99).
 */
const STATUS_LISTENERS = 8;

/** While the store cannot save, how often the unsaved changes are tried again. */
const STORE_RETRY_MS = 1000;
/** While the store cannot save, how often the log says so again (the first failure is logged at once). */
const STORE_LOG_INTERVAL_MS = 30_000;

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

/** How a passed-over row is named, by its table. */
const ROW_NAMES: Record<SkippedRow['table'], string> = { jobs: 'job', nodes: 'node', meta: 'key', searches: 'search' };

/** The jobs a step cancelled. */
const cancelledBy = (result: StepResult | undefined): string[] =>
  (result?.effects ?? []).flatMap((effect) => (effect.type === 'jobFinished' && effect.state === 'cancelled' ? [effect.jobId] : []));

/** A control request as SchedulerService.submit() takes it: jobs as checked, one per job and its nodes. */
export type Request = Partial<Omit<Submission, 'jobs'>> & {
  jobs?: JobSpec[];
  /** The ids of the new jobs (one per job and node), instead of new random ones: a search's trials have fixed ids. */
  ids?: string[];
  /** Searches to save in the same transaction. */
  searches?: SearchRecord[];
};

/** What a request did: the new job ids, in order, and the jobs it cancelled. */
export interface Applied {
  jobIds: string[];
  cancelled: string[];
}

/** Events: 'drained' (), when a saved change leaves no job waiting or running. */
export class SchedulerService extends EventEmitter {
  readonly core: SchedulerCore;
  /** Throughput searches: each runs its trials as ordinary jobs of this scheduler. */
  readonly searches: SearchRunner;
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
  /** Set while the store cannot save: since when, why, and when it was last tried and logged. */
  private storeFailure?: { since: number; error: string; triedAt: number; loggedAt: number };

  constructor(private readonly options: SchedulerServiceOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    const skipped = (row: SkippedRow) => options.log.warn(`passed over a malformed row of the scheduler's ${row.table} table (${ROW_NAMES[row.table]} ${escapeControl(row.key)}): ${escapeControl(row.why)}; it stays in the database as it is`);
    this.core = new SchedulerCore(options.store.load(skipped), { ...DEFAULT_CORE_CONFIG, ...options.core });
    this.searches = new SearchRunner({
      job: (id) => this.core.state.jobs.get(id), submit: (request) => this.submit(request), log: options.log, clock: () => this.clock(),
    }, options.store.loadSearches(skipped));
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
      // As if the node had refused it: the job fails with the reason, and its node takes the next one.
      refused: (job, reason) => this.handle({ type: 'statusReceived', jobId: job.id, run: job.run, candidates: [job.node], via: job.node, status: 'FAIL', reason, now: this.clock() }),
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
    this.searches.resume();
    this.ticker = setInterval(() => this.tick(), this.options.tickMs ?? 200);
    return this.server.address;
  }

  /** Saves what is pending, stops the clock and the listener; later events (late deliveries) are dropped. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.searches.stop();
    this.sessions?.close();
    this.flushQuietly();
    if (this.storeFailure) {
      this.options.log.error(`stopping with ${this.batch.size} change(s) that could not be saved (${this.storeFailure.error}); nodes send the statuses among them again to the next scheduler`);
      this.batch.abandon(new PktgenError('ERR_STORE', 'the scheduler stopped before it could save this'));
    }
    this.stopped = true;
    await this.server?.close();
    this.options.store.close();
  }

  /**
   * Adds or updates nodes, all or none, once saved (see submit()): a node at the HOST:PORT of
   * another (as written or resolved) is refused with ERR_INPUT before any is added. `where(i)`
   * names node i in that error.
   */
  async addNodes(nodes: NewNode[], where: (index: number) => string = (i) => `node ${nodes[i]!.name}`): Promise<void> {
    await this.submit({ nodes }, where);
  }

  /**
   * Removes nodes: their queued jobs end cancelled ("node NAME removed"), a running one is stopped
   * on its node, and they leave the state and the store. Returns the ids of the jobs cancelled.
   */
  removeNodes(names: readonly string[]): string[] {
    return this.apply({ removeNodes: [...names] }).cancelled;
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
    const { jobId, run } = statusJob(status);
    if (status.type === 'PROGRESS') return this.progressed(jobId, run, status.elapsed_s, status.stats);
    this.handle({
      type: 'statusReceived', jobId, run, candidates: [node], via: node, status: status.type,
      reason: status.reason, stats: status.stats, now: this.clock(),
    });
    // Acknowledged once saved, however long the store takes: the session stays open meanwhile.
    return this.batch.whenSavedAtLast();
  }

  /** Queues jobs (one record per listed node) and records the run of the file they came from with their ids, atomically, once saved. */
  addJobs(specs: JobSpec[], file?: Omit<LoadedFile, 'jobIds'>): string[] {
    return this.apply({ jobs: specs }, file).jobIds;
  }

  /** Cancels a pending or running job, once saved; true when it was open (and is now cancelled). */
  cancel(jobId: string): boolean {
    return this.apply({ cancel: [jobId] }).cancelled.length > 0;
  }

  /** Pauses or resumes a node's queue, once saved. */
  setPaused(node: string, paused: boolean): void {
    this.apply({ pause: [{ node, paused }] });
  }

  /**
   * Applies a control request: nodes, then jobs, cancellations, node cancellations, node removals
   * and pauses; returns the new job ids and the jobs it cancelled. Its rows are saved before the
   * core applies it: a request the store refuses throws PktgenError ERR_STORE and changes nothing,
   * so a client that sends it again gets no duplicates. A node at another's HOST:PORT is refused
   * (ERR_INPUT, named by `where`) first.
   */
  async submit(request: Request, where: (index: number) => string = (i) => `node ${request.nodes![i]!.name}`): Promise<Applied> {
    const nodes = request.nodes ?? [];
    const ips = await Promise.all(nodes.map((node) => this.addresses.lookup(node)));
    // Checked after the lookups, with no await before the nodes are added: what it checked against stays true.
    this.addresses.checkFree(nodes.map((node, i) => ({ ...node, ip: ips[i]!, where: where(i) })), this.core.state.nodes.values());
    return this.apply(request, undefined, ips);
  }

  /** submit() once the nodes' addresses are looked up (`ips`, in the order of request.nodes). */
  private apply(request: Request, file?: Omit<LoadedFile, 'jobIds'>, ips: string[] = []): Applied {
    const specs = request.jobs ?? [];
    const ids = request.ids ?? this.newJobIds(specs.reduce((count, spec) => count + spec.nodes.length, 0));
    const jobs: NewJob[] = [];
    for (const { nodes, priority, data, target, timeoutS, retries, expect } of specs) {
      for (const node of nodes) jobs.push({ id: ids[jobs.length]!, node, priority, data, target, timeoutS, retries, expect });
    }
    const jobIds = jobs.map((job) => job.id);
    const submission: Submission = {
      nodes: request.nodes ?? [], jobs, cancel: request.cancel ?? [], cancelNodes: request.cancelNodes ?? [],
      removeNodes: request.removeNodes ?? [], pause: request.pause ?? [],
    };
    const files = file ? [{ ...file, jobIds }] : [];
    const searches = request.searches ?? [];
    const now = this.clock();
    let rows: ReturnType<typeof submissionRows>;
    // Changes not yet saved go first (the new rows may name a node among them); then the request's own.
    try {
      this.flush();
      rows = submissionRows(this.core, submission, now);
      if (rows.nodes.length + rows.jobs.length + rows.removedNodes.length + files.length + searches.length > 0) this.options.store.apply({ ...rows, files, searches });
    } catch (error) {
      throw new PktgenError('ERR_STORE', `${describeError(error)}; nothing of this request was applied`, { cause: error });
    }
    submission.nodes.forEach((node, i) => {
      if (ips[i] !== undefined) this.addresses.assign(node.name, ips[i]);
      this.handle({ type: 'nodeAdded', node, now });
      if (this.server) this.keepSession(this.core.state.nodes.get(node.name)!);
    });
    if (jobs.length > 0) this.handle({ type: 'jobsAdded', jobs, now });
    const cancelled = submission.cancel.flatMap((jobId) => cancelledBy(this.handle({ type: 'cancelRequested', jobId, now })));
    for (const node of submission.cancelNodes) cancelled.push(...cancelledBy(this.handle({ type: 'nodeCancelRequested', node, now })));
    for (const node of submission.removeNodes) cancelled.push(...cancelledBy(this.handle({ type: 'nodeRemoved', node, now })));
    for (const { node, paused } of submission.pause) this.handle({ type: 'pauseChanged', node, paused, now });
    // A new job still pending is its row as written above (same builder, seq and time): not written twice.
    const written = new Map(rows.jobs.map((row) => [row.id, row]));
    this.batch.alreadySaved((job) => job.state === 'pending' && written.get(job.id)?.state === 'pending' && written.get(job.id)!.seq === job.seq);
    // The request is saved: what its events changed next (a job sent) is saved now, or retried.
    this.flushQuietly();
    return { jobIds, cancelled };
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
    const { jobId, run } = statusJob(status);
    // Read-only: the core only looks at candidates, so the index's own list is passed as is.
    // Unauthenticated statuses count only for legacy nodes, and never for a job sent over a session.
    const here = this.addresses.nodesAt(peer.remoteAddress);
    // Without a key every node is legacy: the index's own list serves as it is (1,000 nodes may share an address).
    let candidates = this.sessions ? here.filter((name) => this.isLegacy(this.core.state.nodes.get(name)!)) : here;
    const owner = jobId !== '' ? this.core.state.jobs.get(jobId)?.node : undefined;
    // A removed node's jobs stay (cancelled) while the node itself is gone: the core ignores their statuses.
    const ownerNode = owner !== undefined ? this.core.state.nodes.get(owner) : undefined;
    if (ownerNode && !this.isLegacy(ownerNode)) {
      this.options.log.warn(`ignored unauthenticated ${status.type} from ${peer.remoteAddress} for job ${status.job_id}: node ${owner} reports over its session`);
      return;
    }
    const loopback = peer.remoteAddress.startsWith('127.') || peer.remoteAddress === '::1';
    if (candidates.length === 0 && !loopback) {
      this.options.log.warn(`ignored ${status.type} from ${peer.remoteAddress}: not the address of any node`);
      return;
    }
    if (status.type === 'PROGRESS') {
      this.progressed(jobId, run, status.elapsed_s, status.stats);
      return;
    }
    // Only a pktgen node names itself: such a node understands cancel requests.
    if (status.node !== '' && ownerNode) this.delivery.sawPktgenNode(ownerNode.name);
    if (jobId === '' && candidates.length === 0) {
      // The old daemon always reports from and to 127.0.0.1: any node may have sent it.
      candidates = [...this.core.state.nodes.values()].filter((node) => this.isLegacy(node)).map((node) => node.name);
    }
    this.handle({
      type: 'statusReceived', jobId, run, candidates, status: status.type,
      reason: status.reason, stats: status.stats, now: this.clock(),
    });
    // While the store fails, a status would wait past the point where the node counts it as taken
    // (its connection closes): refused now (reset), it is kept in memory and the node sends it again.
    if (this.storeFailure) throw new PktgenError('ERR_STORE', `status not saved: ${this.storeFailure.error}`);
    return this.batch.whenSaved();
  }

  /** Live progress of running jobs, reported by nodes each interval (not persisted): see LiveProgress. */
  readonly live = new Map<string, LiveProgress>();

  private progressed(jobId: string, run: number | undefined, elapsedS: number, stats: Stats | undefined): void {
    const job = this.core.state.jobs.get(jobId);
    if (!job || (job.state !== 'running' && job.state !== 'sent') || (run !== undefined && run !== job.run)) return;
    const live = this.live.get(jobId) ?? new LiveProgress();
    live.update(elapsedS, stats);
    this.live.set(jobId, live);
  }

  /**
   * Runs one event through the core. Its changes are saved, and its effects carried out, by the
   * flush at the end of this event-loop turn: one transaction for every status of the turn
   * instead of one each, which is what bounded the dispatch rate. While the store cannot save,
   * the retry in tick() flushes instead.
   */
  private handle(event: SchedulerEvent, file?: LoadedFile): StepResult | undefined {
    if (this.stopped) return undefined;
    const result = this.core.handle(event);
    this.batch.add(result, file);
    if (!this.flushQueued && !this.storeFailure) {
      this.flushQueued = true;
      setImmediate(() => this.flushQuietly());
    }
    return result;
  }

  /**
   * The clock. While the store cannot save, the core's clock is held (no job times out or is sent
   * again for want of a change that could not be saved) and the unsaved changes are tried again
   * every STORE_RETRY_MS.
   */
  private tick(): void {
    const now = this.clock();
    if (!this.storeFailure) this.handle({ type: 'ticked', now });
    else if (now - this.storeFailure.triedAt >= STORE_RETRY_MS) this.flushQuietly();
  }

  /**
   * Saves the batch in one transaction, then carries out its effects: nothing leaves the process
   * (a job to a node, a cancel request, the acknowledgement of a status) before the change behind
   * it is saved. On a failed save: refuses the legacy statuses waiting on the batch (nodes send
   * them again), carries out its logs, and keeps its records, the effects that leave the process
   * and the session statuses' acknowledgements for the next attempt (nothing is lost, and the core
   * has moved on); then throws the store's error.
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
      for (const effect of batch.effects) if (!leavesProcess(effect)) this.carryOut(effect);
      this.storeFailed(error);
      throw error;
    }
    if (this.storeFailure && changes) this.storeRecovered();
    for (const effect of batch.effects) this.carryOut(effect);
    batch.settle();
    if (batch.changedRecords && this.core.isDrained()) this.emit('drained');
  }

  /** flush() for the end of a turn, where nobody could catch: storeFailed() has logged a failure. */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // Logged (rate-limited) by storeFailed(); the changes wait for the next attempt.
    }
  }

  private storeFailed(error: unknown): void {
    const now = this.clock();
    const why = describeError(error);
    const failure = this.storeFailure;
    if (!failure) {
      this.storeFailure = { since: now, error: why, triedAt: now, loggedAt: now };
      this.options.log.error(`cannot save scheduler state (${why}): ${this.batch.size} change(s) wait in memory, tried again every ${STORE_RETRY_MS / 1000} s; meanwhile no job is sent and no status acknowledged`);
      return;
    }
    Object.assign(failure, { error: why, triedAt: now });
    if (now - failure.loggedAt < STORE_LOG_INTERVAL_MS) return;
    failure.loggedAt = now;
    this.options.log.error(`still cannot save scheduler state after ${Math.round((now - failure.since) / 1000)} s (${why}): ${this.batch.size} change(s) wait in memory`);
  }

  /** The first save after failures: say so, and give running jobs time for the statuses that waited, as after a restart. */
  private storeRecovered(): void {
    const seconds = Math.round((this.clock() - this.storeFailure!.since) / 1000);
    this.storeFailure = undefined;
    this.options.log.info(`scheduler state saved again after ${seconds} s of failed saves`);
    this.handle({ type: 'recovered', now: this.clock() });
  }

  /** Why the store cannot save, while it cannot: what `pktgen status` shows. */
  storeProblem(): string | undefined {
    const failure = this.storeFailure;
    if (!failure) return undefined;
    return `cannot save its state since ${new Date(failure.since).toISOString()} (${failure.error}); ${this.batch.size} change(s) wait in memory and are tried again every ${STORE_RETRY_MS / 1000} s`;
  }

  private carryOut(effect: Effect): void {
    // For observers such as the /metrics histograms: each effect as it is carried out.
    this.emit('effect', effect);
    switch (effect.type) {
      case 'sendJob': {
        // Carried out late after a failed save, a job may have moved on meanwhile: only the node's current job goes.
        const job = this.core.state.jobs.get(effect.jobId);
        if (job && this.core.currentJob(job.node) === job) void this.delivery.deliver(job);
        return;
      }
      case 'cancelJob': {
        const node = this.core.state.nodes.get(effect.node);
        return void (node && this.delivery.requestCancel(node, effect.jobId, this.core.state.jobs.get(effect.jobId)?.run));
      }
      case 'forgetNode': return this.forgetNode(effect.node, effect.stopJob);
      case 'jobFinished':
        this.live.delete(effect.jobId);
        this.searches.jobFinished(effect.jobId);
        if (effect.state === 'succeeded') this.unsuccessful.delete(effect.jobId);
        else this.unsuccessful.add(effect.jobId);
        return;
      case 'log': return this.options.log[effect.level](effect.message);
    }
  }

  /** A node left: it is asked to stop its job (on its session, kept open a little for that), then forgotten. */
  private forgetNode(node: NodeRecord, stopJob: string | undefined): void {
    const run = stopJob === undefined ? undefined : this.core.state.jobs.get(stopJob)?.run;
    if (stopJob !== undefined) {
      this.live.delete(stopJob);
      void this.delivery.requestCancel(node, stopJob, run);
    }
    // The node's final status for that run names its wire id.
    this.sessions?.retire(node.name, stopJob === undefined ? undefined : wireJobId(stopJob, run ?? 1));
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

/** The job and run a status names; a legacy status names neither (its job is found by its source address). */
function statusJob(status: Status): { jobId: string; run?: number } {
  return status.job_id === '' ? { jobId: '' } : parseWireJobId(status.job_id);
}
