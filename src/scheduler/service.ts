import { EventEmitter } from 'node:events';
import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { decodeStatus, encodeJob, type Job } from '../protocol/messages.js';
import { sendFrame } from '../transport/client.js';
import { startFrameServer, type FrameServer, type Peer } from '../transport/server.js';
import { formatAddress, type Address } from '../transport/address.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SchedulerStore, LoadedFile } from '../store/store.js';
import { SchedulerCore, DEFAULT_CORE_CONFIG, type CoreConfig, type Effect, type NewJob, type NewNode, type SchedulerEvent } from './core.js';
import type { JobRecord, NodeRecord } from './types.js';

/** The reflector port a node runs by default (`pktgen serve --reflect-port`). */
export const DEFAULT_REFLECT_PORT = 1730;

/** Settings of the scheduler's I/O shell. */
export interface SchedulerServiceOptions {
  listen: Address;
  store: SchedulerStore;
  log: Logger;
  tickMs?: number;
  core?: Partial<CoreConfig>;
  clock?: () => number;
  send?: typeof sendFrame;
}

/** Events: 'jobFinished' (JobRecord), 'changed' (), 'drained' (). */
export class SchedulerService extends EventEmitter {
  readonly core: SchedulerCore;
  private server?: FrameServer;
  private ticker?: NodeJS.Timeout;
  private readonly clock: () => number;
  private readonly send: typeof sendFrame;
  /** Resolved IP of every node, for matching legacy statuses and vetting status senders. */
  private readonly nodeIps = new Map<string, string>();

  constructor(private readonly options: SchedulerServiceOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.send = options.send ?? sendFrame;
    this.core = new SchedulerCore(options.store.load(), { ...DEFAULT_CORE_CONFIG, ...options.core });
  }

  /** Listens for statuses first, then resumes saved work and starts the clock. */
  async start(): Promise<Address> {
    this.server = await startFrameServer({
      host: this.options.listen.host,
      port: this.options.listen.port,
      maxConnections: 1024,
      readTimeoutMs: 10_000,
      handler: (payload, peer) => this.statusArrived(payload, peer),
      onError: (error, peer) => this.options.log.warn(`dropped status connection from ${peer.remoteAddress}: ${describeError(error)}`),
    });
    await Promise.all([...this.core.state.nodes.values()].map((node) => this.resolveNode(node)));
    this.handle({ type: 'recovered', now: this.clock() });
    this.ticker = setInterval(() => this.handle({ type: 'ticked', now: this.clock() }), this.options.tickMs ?? 200);
    return this.server.address;
  }

  /** Stops the clock and the listener; state is already saved after every transition. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await this.server?.close();
    this.options.store.close();
  }

  /** Adds or updates nodes. */
  async addNodes(nodes: NewNode[]): Promise<void> {
    for (const node of nodes) {
      await this.resolveNode(node);
      this.handle({ type: 'nodeAdded', node, now: this.clock() });
    }
  }

  /** Queues jobs (one record per listed node) and remembers the file they came from, atomically. */
  addJobs(specs: Array<Omit<NewJob, 'id' | 'node'> & { nodes: string[] }>, file?: LoadedFile): string[] {
    const jobs: NewJob[] = [];
    for (const { nodes, ...spec } of specs) {
      for (const node of nodes) jobs.push({ ...spec, node, id: this.newJobId() });
    }
    this.handle({ type: 'jobsAdded', jobs, now: this.clock() }, file);
    return jobs.map((job) => job.id);
  }

  /** Cancels a pending or running job. */
  cancel(jobId: string): void {
    this.handle({ type: 'cancelRequested', jobId, now: this.clock() });
  }

  /** Pauses or resumes a node's queue. */
  setPaused(node: string, paused: boolean): void {
    this.handle({ type: 'pauseChanged', node, paused, now: this.clock() });
  }

  private newJobId(): string {
    let id: string;
    do id = `j${randomBytes(6).toString('hex')}`;
    while (this.core.state.jobs.has(id));
    return id;
  }

  private async resolveNode(node: { name: string; host: string }): Promise<void> {
    try {
      this.nodeIps.set(node.name, (await lookup(node.host)).address);
    } catch (error) {
      this.nodeIps.set(node.name, node.host);
      this.options.log.warn(`node ${node.name}: cannot resolve ${node.host} (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`);
    }
  }

  private statusArrived(payload: Buffer, peer: Peer): void {
    const status = decodeStatus(payload);
    const candidates = [...this.nodeIps].filter(([, ip]) => ip === peer.remoteAddress).map(([name]) => name);
    const loopback = peer.remoteAddress.startsWith('127.') || peer.remoteAddress === '::1';
    if (candidates.length === 0 && !loopback) {
      this.options.log.warn(`ignored ${status.type} from ${peer.remoteAddress}: not the address of any node`);
      return;
    }
    if (status.job_id === '' && candidates.length === 0) {
      // The old daemon always reports from and to 127.0.0.1: any node may have sent it.
      candidates.push(...this.core.state.nodes.keys());
    }
    this.handle({
      type: 'statusReceived', jobId: status.job_id, candidates, status: status.type,
      reason: status.reason, stats: status.stats, now: this.clock(),
    });
  }

  /** Runs one event through the core: persist what changed, then carry out the effects. */
  private handle(event: SchedulerEvent, file?: LoadedFile): void {
    const result = this.core.handle(event);
    if (result.changedJobs.length > 0 || result.changedNodes.length > 0 || file) {
      this.options.store.apply({ nodes: result.changedNodes, jobs: result.changedJobs, files: file ? [file] : [] });
    }
    for (const effect of result.effects) this.carryOut(effect);
    if (result.changedJobs.length > 0 || result.changedNodes.length > 0) {
      this.emit('changed');
      if (this.core.isDrained()) this.emit('drained');
    }
  }

  private carryOut(effect: Effect): void {
    switch (effect.type) {
      case 'sendJob': return void this.deliver(effect.jobId);
      case 'cancelJob': return this.options.log.info(`job ${effect.jobId} on ${effect.node} was cancelled: the node finishes its run`);
      case 'jobFinished': return void this.emit('jobFinished', this.core.state.jobs.get(effect.jobId));
      case 'log': return this.options.log[effect.level](effect.message);
    }
  }

  private async deliver(jobId: string): Promise<void> {
    const job = this.core.state.jobs.get(jobId)!;
    const node = this.core.state.nodes.get(job.node)!;
    try {
      await this.send({ host: node.host, port: node.port }, encodeJob(this.wireJob(job)), { connectTimeoutMs: 3000, ioTimeoutMs: 5000 });
      this.handle({ type: 'jobDelivered', jobId, now: this.clock() });
    } catch (error) {
      this.handle({ type: 'deliveryFailed', jobId, reason: describeError(error), now: this.clock() });
    }
  }

  /** The job as the node sees it: legacy fields, our id, the resolved target, and where to reply. */
  wireJob(job: JobRecord): Partial<Job> {
    return { ...job.data, id: job.id, target: this.resolveTarget(job.target), reply_to: `:${this.server?.address.port ?? this.options.listen.port}` };
  }

  /** A node name as target means that node's reflector. */
  resolveTarget(target: string): string {
    const node = this.core.state.nodes.get(target);
    if (!node) return target;
    return node.reflector ?? formatAddress({ host: node.host, port: DEFAULT_REFLECT_PORT });
  }

  /** Nodes in insertion order. */
  nodes(): NodeRecord[] {
    return [...this.core.state.nodes.values()].sort((a, b) => a.seq - b.seq);
  }
}
