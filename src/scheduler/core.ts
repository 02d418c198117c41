import { JobIndex } from './job-index.js';
import { FinishedJobs } from './retention.js';
import type { Stats } from '../protocol/messages.js';
import { Heap } from './heap.js';
import type { JobSpec } from '../input/job.js';
import type { NodeSpec } from '../input/files.js';
import { DEFAULT_CORE_CONFIG, type CoreConfig } from './core-config.js';

export { DEFAULT_CORE_CONFIG, type CoreConfig } from './core-config.js';
import { missedExpectations } from './expectations.js';
import { isFinal } from '../protocol/view.js';
import { type JobRecord, type NodeRecord, type SchedulerState } from './types.js';
import { CANCELLED_REASON, movedNode, newJobRecord, newNodeRecord, nodeCancelledReason, nodeRemovedReason } from './records.js';

/** A node to add (from nodes.json, submit or the TUI), as checked by src/input. */
export type NewNode = NodeSpec;

/** A checked job (input/job.ts) queued on one of its nodes, under its own id. */
export type NewJob = Omit<JobSpec, 'nodes'> & { id: string; node: string };

/** Everything that happens to the scheduler. Time arrives inside events (ms). */
export type SchedulerEvent =
  | { type: 'nodeAdded'; node: NewNode; now: number }
  | { type: 'jobsAdded'; jobs: NewJob[]; now: number }
  | { type: 'ticked'; now: number }
  | { type: 'recovered'; now: number }
  | { type: 'jobDelivered'; jobId: string; now: number }
  | { type: 'deliveryFailed'; jobId: string; reason: string; now: number }
  /**
   * A node's status. `jobId` empty: a legacy status, matched by `candidates` (the nodes at its source
   * address). `run`: the run its id names (wire-id.ts), absent = the job's current run. `via`: the
   * node whose authenticated session carried it; the job must be that node's.
   */
  | { type: 'statusReceived'; jobId: string; run?: number; candidates: readonly string[]; status: 'STARTED' | 'SUCCESS' | 'FAIL'; reason: string; stats?: Stats; via?: string; now: number }
  /** A node's session opened (it proved the key): it is up and may take its next job. */
  | { type: 'nodeReached'; node: string; now: number }
  /** A node's session ended or could not be opened: it is down until it is reached again. */
  | { type: 'nodeLost'; node: string; reason: string; now: number }
  | { type: 'cancelRequested'; jobId: string; now: number }
  | { type: 'pauseChanged'; node: string; paused: boolean; now: number }
  /** The node is to leave (submit --remove-node): its open jobs are cancelled, its running one stopped on it. */
  | { type: 'nodeRemoved'; node: string; now: number }
  /** Every pending and running job of the node is to be cancelled (submit --cancel-node); the node stays. */
  | { type: 'nodeCancelRequested'; node: string; now: number };

/** What the I/O shell must do. */
export type Effect =
  | { type: 'sendJob'; node: string; jobId: string }
  | { type: 'cancelJob'; node: string; jobId: string }
  /** The node left the state: ask it to stop `stopJob` (if any), then close its session and forget its address. */
  | { type: 'forgetNode'; node: NodeRecord; stopJob?: string }
  | { type: 'jobFinished'; jobId: string; state: JobRecord['state'] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** The effects of one event, the records it changed and the jobs and nodes it removed (to persist before acting). */
export interface StepResult {
  effects: Effect[];
  changedJobs: JobRecord[];
  changedNodes: NodeRecord[];
  removedJobs: string[];
  /** Nodes that left the state (absent: none). */
  removedNodes?: string[];
}


type StatusEvent = Extract<SchedulerEvent, { type: 'statusReceived' }>;

const jobOrder = (a: JobRecord, b: JobRecord): boolean => a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
const runMs = (job: JobRecord): number => (job.data.w + job.data.t + job.timeoutS) * 1000;

/**
 * The scheduling core: a deterministic state machine with no I/O and no clock. It owns the state
 * and updates it in place (copying 100k-job maps per event would cost the dispatch rate), and
 * reports every record it changed so the shell can persist them before carrying out the effects.
 * Finished jobs beyond config.keepJobs, or older than config.keepForMs, leave the state (reported
 * in removedJobs); pending, sent and running jobs never do.
 */
export class SchedulerCore {
  /** The held jobs by node and state, in seq order, kept up to date on every change (see snapshot.ts). */
  readonly index = new JobIndex();
  private readonly finished: FinishedJobs;
  private readonly queues = new Map<string, Heap<JobRecord>>();
  /** The job each node is busy with: sent and not yet finished by the node. */
  private readonly current = new Map<string, string>();
  /** Per legacy node, when each STARTED it still owes became owed: its job ended before the STARTED came. */
  private readonly owedStarted = new Map<string, number[]>();
  private effects: Effect[] = [];
  private changedJobs = new Set<JobRecord>();
  private changedNodes = new Set<NodeRecord>();
  private removedJobs: string[] = [];
  private removedNodes: string[] = [];

  /** Takes over a loaded state; retention applies from the first event ('recovered' after a restart). */
  constructor(readonly state: SchedulerState, private readonly config: CoreConfig = DEFAULT_CORE_CONFIG) {
    this.finished = new FinishedJobs(state.jobs);
    for (const node of state.nodes.values()) this.queueOf(node.name);
    const finished: JobRecord[] = [];
    for (const job of state.jobs.values()) {
      this.index.added(job);
      if (job.state === 'pending') this.enqueue(job);
      if (job.state === 'sent' || job.state === 'running') this.current.set(job.node, job.id);
      if (isFinal(job)) finished.push(job);
    }
    finished.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.seq - b.seq);
    for (const job of finished) this.finished.add(job);
  }

  /** Applies one event, then the retention policy. */
  handle(event: SchedulerEvent): StepResult {
    this.effects = [];
    this.changedJobs = new Set();
    this.changedNodes = new Set();
    this.removedJobs = [];
    this.removedNodes = [];
    this.apply(event);
    this.finished.evict(this.config.keepJobs, event.now - this.config.keepForMs, (job) => this.remove(job));
    return {
      effects: this.effects, changedJobs: [...this.changedJobs], changedNodes: [...this.changedNodes],
      removedJobs: this.removedJobs, removedNodes: this.removedNodes,
    };
  }

  /** Jobs waiting on a node. */
  pendingCount(node: string): number {
    return this.index.count(node, 'pending');
  }

  /** Jobs of a node (of every node when '') not yet finished: queued, sent or running (what waits for it while it is down). */
  openCount(node: string): number {
    return this.index.count(node, 'pending') + this.index.count(node, 'sent') + this.index.count(node, 'running');
  }

  /**
   * How many jobs come before each of `jobs` (pending ones) on its node: those queued ahead of it in
   * run order, and the one the node is busy with. One sort per node, not a count per job.
   */
  queuedAhead(jobs: Iterable<JobRecord>): Map<string, number> {
    const byNode = new Map<string, JobRecord[]>();
    for (const job of jobs) {
      if (job.state !== 'pending') continue;
      const list = byNode.get(job.node);
      if (list) list.push(job);
      else byNode.set(job.node, [job]);
    }
    const ahead = new Map<string, number>();
    for (const [node, asked] of byNode) {
      const busy = this.current.has(node) ? 1 : 0;
      const queue = this.index.find(node, ['pending'], 0).jobs.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      const rank = new Map(queue.map((job, i) => [job.id, i]));
      for (const job of asked) ahead.set(job.id, busy + (rank.get(job.id) ?? 0));
    }
    return ahead;
  }

  /** The job a node is busy with, if any. */
  currentJob(node: string): JobRecord | undefined {
    const id = this.current.get(node);
    return id === undefined ? undefined : this.state.jobs.get(id);
  }

  /** True when no job is waiting or running anywhere. */
  isDrained(): boolean {
    return this.current.size === 0 && this.index.count('', 'pending') === 0;
  }

  private apply(event: SchedulerEvent): void {
    switch (event.type) {
      case 'nodeAdded': return this.addNode(event.node, event.now);
      case 'jobsAdded': return this.addJobs(event.jobs, event.now);
      case 'ticked': return this.tick(event.now);
      case 'recovered': return this.recover(event.now);
      case 'jobDelivered': return this.delivered(event.jobId);
      case 'deliveryFailed': return this.deliveryFailed(event.jobId, event.reason, event.now);
      case 'statusReceived': return this.statusReceived(event);
      case 'nodeReached': return this.reached(event.node, event.now);
      case 'nodeLost': return this.lost(event.node, event.reason, event.now);
      case 'cancelRequested': return this.cancel(event.jobId, event.now);
      case 'pauseChanged': return this.pause(event.node, event.paused, event.now);
      case 'nodeRemoved': return this.removeNode(event.node, event.now);
      case 'nodeCancelRequested': return this.cancelNode(event.node, event.now);
    }
  }

  private addNode(spec: NewNode, now: number): void {
    const existing = this.state.nodes.get(spec.name);
    if (existing) {
      const moved = movedNode(existing, spec);
      if (!moved) return;
      Object.assign(existing, moved);
      delete existing.downSince;
      this.log('info', `node ${spec.name} now at (${spec.host}, ${spec.port})`);
      this.changedNodes.add(existing);
    } else {
      const node = newNodeRecord(spec, this.state.nextSeq++);
      this.state.nodes.set(node.name, node);
      this.queueOf(node.name);
      this.changedNodes.add(node);
    }
    this.dispatch(spec.name, now);
  }

  /** Queues a batch, then dispatches: a whole file is ordered by priority before anything runs. */
  private addJobs(specs: NewJob[], now: number): void {
    const touched = new Set<string>();
    for (const spec of specs) {
      if (this.state.jobs.has(spec.id)) continue;
      if (!this.state.nodes.has(spec.node)) {
        this.log('error', `job ${spec.id} names unknown node ${spec.node}: not queued`);
        continue;
      }
      const job = newJobRecord(spec, this.state.nextSeq++, now);
      this.state.jobs.set(job.id, job);
      this.index.added(job);
      this.enqueue(job);
      this.changedJobs.add(job);
      touched.add(job.node);
    }
    for (const node of touched) this.dispatch(node, now);
  }

  private tick(now: number): void {
    for (const [nodeName, jobId] of [...this.current]) {
      const job = this.state.jobs.get(jobId);
      if (job?.deadline !== undefined && job.deadline <= now) this.expired(job, nodeName, now);
    }
    for (const node of this.state.nodes.values()) {
      if (!this.current.has(node.name) && node.retryAt <= now) this.dispatch(node.name, now);
    }
  }

  private recover(now: number): void {
    for (const jobId of this.current.values()) {
      const job = this.state.jobs.get(jobId);
      if (job?.deadline !== undefined && job.deadline < now + this.config.recoveryGraceMs) {
        job.deadline = now + this.config.recoveryGraceMs;
        this.changedJobs.add(job);
      }
    }
    const waiting = this.index.count('', 'pending');
    this.log('info', `resumed with ${waiting} queued and ${this.current.size} running job(s)`);
    this.tick(now);
  }

  /** A sent job's deadline passed: never started -> send again (bounded); started -> lost. */
  private expired(job: JobRecord, nodeName: string, now: number): void {
    this.current.delete(nodeName);
    if (job.state === 'sent' && job.sends < this.config.maxUnstartedSends) {
      job.reason = `no STARTED within ${runMs(job) / 1000} s; sending again`;
      this.log('warn', `job ${job.id} on ${nodeName}: ${job.reason}`);
      this.requeue(job);
    } else if (job.state === 'sent' || job.state === 'running') {
      const why = job.state === 'sent'
        ? `node took the job ${job.sends} times but never started it`
        : `no final status within w + t + ${job.timeoutS} s`;
      if (job.state === 'sent') job.attempts += 1;
      this.failOrRetry(job, 'lost', why, now);
    } else if (job.state === 'cancelled') {
      this.finished.add(job);
    }
    this.dispatch(nodeName, now);
  }

  private reached(name: string, now: number): void {
    const node = this.state.nodes.get(name);
    if (!node) return;
    this.markUp(node);
    this.dispatch(name, now);
  }

  private lost(name: string, reason: string, now: number): void {
    const node = this.state.nodes.get(name);
    if (!node || node.health === 'down') return;
    node.health = 'down';
    node.downSince = now;
    node.retryAt = now + this.config.probeIntervalMs;
    this.changedNodes.add(node);
    this.log('error', `node ${name} (${node.host}, ${node.port}) is down: ${reason}; its ${this.openCount(name)} job(s) wait`);
  }

  private delivered(jobId: string): void {
    const job = this.state.jobs.get(jobId);
    const node = job && this.state.nodes.get(job.node);
    if (!job || !node) return;
    this.markUp(node);
    this.log('info', `Successfully sent job ${job.id} to node ${node.name} (${node.host}, ${node.port}).`);
  }

  private deliveryFailed(jobId: string, reason: string, now: number): void {
    const job = this.state.jobs.get(jobId);
    const node = job && this.state.nodes.get(job.node);
    // A job the node already started was delivered after all, whatever the socket said.
    if (!job || !node || this.current.get(node.name) !== jobId || job.state !== 'sent') return;
    this.current.delete(node.name);
    job.sends -= 1;
    this.requeue(job);
    node.failures += 1;
    if (node.health !== 'down' && node.failures >= this.config.failuresBeforeDown) {
      node.health = 'down';
      node.downSince = now;
      this.log('error', `node ${node.name} (${node.host}, ${node.port}) is down: ${reason}; its ${this.openCount(node.name)} job(s) wait, probing every ${this.config.probeIntervalMs / 1000} s`);
    } else if (node.health !== 'down') {
      this.log('warn', `could not send job ${job.id} to node ${node.name} (${node.host}, ${node.port}): ${reason}; retrying`);
    }
    node.retryAt = now + (node.health === 'down' ? this.config.probeIntervalMs : this.config.backoffMs(node.failures));
    this.changedNodes.add(node);
  }

  private statusReceived(event: StatusEvent): void {
    if (event.jobId === '') return this.legacyStatus(event);
    const job = this.state.jobs.get(event.jobId);
    if (!job) {
      this.log('warn', `${event.status} for job ${event.jobId} matches no job that is running: ignored`);
      return;
    }
    if (!this.cameOnItsSession(job, event)) return;
    const run = event.run ?? job.run;
    if (run !== job.run) {
      // A run declared lost was re-run (retries): the job's result is its last run's, alone.
      this.log('info', `${event.status} for run ${run} of job ${job.id}, which is on run ${job.run}: ignored`);
      return;
    }
    this.jobStatus(job, event);
  }

  /**
   * A legacy status names no job: it is for the job of a node at its source address. The status
   * port's listeners accept out of order, so a node's STARTED may come after its job's SUCCESS or
   * FAIL: that ends the job all the same, and the node then owes a STARTED, which is absorbed when it
   * comes (within legacyReorderMs) instead of marking the node's next job running before it has it.
   */
  private legacyStatus(event: StatusEvent): void {
    if (event.status === 'STARTED' && this.absorbOwedStarted(event.candidates, event.now)) return;
    const job = this.legacyMatch(event.candidates, event.status);
    if (!job) {
      this.log('warn', `${event.status} for node(s) ${event.candidates.join(', ') || 'unknown'} matches no job that is running: ignored`);
      return;
    }
    if (!this.cameOnItsSession(job, event)) return;
    if (event.status !== 'STARTED' && job.state === 'sent') this.oweStarted(job.node, event.now);
    this.jobStatus(job, event);
  }

  private cameOnItsSession(job: JobRecord, event: StatusEvent): boolean {
    if (event.via === undefined || job.node === event.via) return true;
    this.log('warn', `${event.status} for job ${job.id} of node ${job.node} came on node ${event.via}'s session: ignored`);
    return false;
  }

  /** A status of the job's current run. */
  private jobStatus(job: JobRecord, event: StatusEvent): void {
    const wasCurrent = this.current.get(job.node) === job.id;
    if (event.status === 'STARTED') {
      if (job.state !== 'sent') return;
      this.moveTo(job, 'running');
      job.startedAt = event.now;
      job.deadline = event.now + runMs(job);
      job.attempts += 1;
      this.changedJobs.add(job);
      return;
    }
    if (job.state === 'lost') return this.keepLate(job, event);
    if (job.state === 'succeeded' || job.state === 'failed' || (job.state === 'cancelled' && !wasCurrent)) {
      this.log('info', `late ${event.status} for job ${job.id} (already ${job.state}): ignored`);
      return;
    }
    if (job.state === 'pending' && event.status === 'FAIL') {
      this.log('info', `late FAIL for job ${job.id}, already queued to run again: ${event.reason}`);
      return;
    }
    if (wasCurrent) this.current.delete(job.node);
    // A run that ends without its STARTED (late, or never sent) was a run all the same.
    if (job.state === 'sent' || job.state === 'pending') job.attempts += 1;
    if (job.state === 'cancelled') {
      this.finished.add(job);
      this.log('info', `node ${job.node} stopped cancelled job ${job.id}`);
    } else if (event.status === 'SUCCESS') {
      // A run that missed its expectations is a verdict, not a fault: it ends failed, stats kept, and is not re-run.
      const missed = missedExpectations(job.expect, event.stats, job.data);
      if (missed) {
        this.finish(job, 'failed', missed, event.now, event.stats);
        this.log('warn', `job ${job.id} on ${job.node} failed: ${missed}`);
      } else {
        this.finish(job, 'succeeded', '', event.now, event.stats);
        this.log('info', `Node ${job.node} successfully completed job ${job.id}.`);
      }
    } else {
      this.failOrRetry(job, 'failed', event.reason || 'node reported FAIL (no reason given)', event.now);
    }
    this.dispatch(job.node, event.now);
  }

  /**
   * A result for a job already declared lost: its final state stays (it was counted, and acted on,
   * once), and the result is kept beside it. Only the first such result is kept.
   */
  private keepLate(job: JobRecord, event: StatusEvent): void {
    const type = event.status as 'SUCCESS' | 'FAIL';
    if (job.late) {
      this.log('info', `another late ${type} for job ${job.id} (a late ${job.late.type} is kept): ignored`);
      return;
    }
    job.late = { type, reason: event.reason, stats: event.stats, at: event.now };
    if (!event.stats) delete job.late.stats;
    this.changedJobs.add(job);
    this.log('warn', `late ${type} for job ${job.id} after it was declared lost: kept as a late result`);
  }

  /**
   * The job a legacy status is for: of the candidates' current jobs, the one sent first among those
   * it can apply to (a STARTED: one not yet running), else among all (a repeated STARTED, ignored).
   */
  private legacyMatch(candidates: readonly string[], status: StatusEvent['status']): JobRecord | undefined {
    let best: JobRecord | undefined;
    let fallback: JobRecord | undefined;
    for (const name of candidates) {
      const job = this.currentJob(name);
      if (!job) continue;
      const fits = status !== 'STARTED' || job.state !== 'running';
      if (fits && (!best || (job.sentAt ?? 0) < (best.sentAt ?? 0))) best = job;
      if (!fallback || (job.sentAt ?? 0) < (fallback.sentAt ?? 0)) fallback = job;
    }
    return best ?? fallback;
  }

  private oweStarted(node: string, now: number): void {
    const owed = this.unexpiredOwed(node, now) ?? [];
    owed.push(now);
    this.owedStarted.set(node, owed);
  }

  /** True when a candidate owed a STARTED: this is it, late, and it is used up. */
  private absorbOwedStarted(candidates: readonly string[], now: number): boolean {
    for (const name of candidates) {
      const owed = this.unexpiredOwed(name, now);
      if (!owed) continue;
      owed.shift();
      if (owed.length === 0) this.owedStarted.delete(name);
      return true;
    }
    return false;
  }

  /** A node's owed STARTEDs that are still awaited; undefined when none is. */
  private unexpiredOwed(node: string, now: number): number[] | undefined {
    const owed = this.owedStarted.get(node);
    if (!owed) return undefined;
    while (owed.length > 0 && owed[0]! < now - this.config.legacyReorderMs) owed.shift();
    if (owed.length > 0) return owed;
    this.owedStarted.delete(node);
    return undefined;
  }

  private cancel(jobId: string, now: number): void {
    const job = this.state.jobs.get(jobId);
    if (!job || isFinal(job)) return;
    this.cancelOne(job, CANCELLED_REASON, now);
    this.log('info', `job ${jobId} on ${job.node} cancelled`);
  }

  /** Cancels an open job; one the node is busy with keeps the node's slot until the node stops it. */
  private cancelOne(job: JobRecord, reason: string, now: number): void {
    const running = this.current.get(job.node) === job.id;
    this.finish(job, 'cancelled', reason, now);
    if (running) this.effects.push({ type: 'cancelJob', node: job.node, jobId: job.id });
  }

  /** Cancels every queued job of a node; returns how many. */
  private cancelQueued(name: string, reason: string, now: number): number {
    // find() returns a new array: finishing a job moves it out of the index list it came from.
    const { jobs } = this.index.find(name, ['pending'], 0);
    for (const job of jobs) this.finish(job, 'cancelled', reason, now);
    return jobs.length;
  }

  private cancelNode(name: string, now: number): void {
    if (!this.state.nodes.has(name)) return;
    const reason = nodeCancelledReason(name);
    const busy = this.currentJob(name);
    const stopping = busy && !isFinal(busy) ? busy : undefined;
    if (stopping) this.cancelOne(stopping, reason, now);
    const queued = this.cancelQueued(name, reason, now);
    this.log('info', `node ${name}: ${queued} queued job(s) cancelled${stopping ? `, and ${stopping.id}, which it runs (asking the node to stop it)` : ''}`);
  }

  /** The node leaves: its open jobs end as cancelled, and its slot is let go at once (no status of it is awaited). */
  private removeNode(name: string, now: number): void {
    const node = this.state.nodes.get(name);
    if (!node) return;
    const reason = nodeRemovedReason(name);
    const busy = this.currentJob(name);
    this.current.delete(name);
    let stopJob: string | undefined;
    if (busy && !isFinal(busy)) {
      stopJob = busy.id;
      this.finish(busy, 'cancelled', reason, now);
    } else if (busy) {
      // Cancelled before, and held until the node stopped it: nothing holds it any more.
      busy.deadline = undefined;
      this.finished.add(busy);
      this.changedJobs.add(busy);
    }
    const queued = this.cancelQueued(name, reason, now);
    this.state.nodes.delete(name);
    this.queues.delete(name);
    this.owedStarted.delete(name);
    this.changedNodes.delete(node);
    this.removedNodes.push(name);
    this.effects.push(stopJob === undefined ? { type: 'forgetNode', node } : { type: 'forgetNode', node, stopJob });
    this.log('info', `node ${name} (${node.host}, ${node.port}) removed: ${queued} queued job(s) cancelled${stopJob ? `; asking it to stop ${stopJob}` : ''}`);
  }

  private pause(nodeName: string, paused: boolean, now: number): void {
    const node = this.state.nodes.get(nodeName);
    if (!node || node.paused === paused) return;
    node.paused = paused;
    this.changedNodes.add(node);
    this.log('info', `node ${nodeName} ${paused ? 'paused' : 'resumed'}`);
    this.dispatch(nodeName, now);
  }

  /** The node answered: it is up, its failures forgotten; says so when it was down. */
  private markUp(node: NodeRecord): void {
    if (node.health === 'down') this.log('info', `node ${node.name} is back up with ${this.openCount(node.name)} job(s) waiting`);
    if (node.health === 'up' && node.failures === 0 && node.retryAt === 0 && node.downSince === undefined) return;
    Object.assign(node, { health: 'up', failures: 0, retryAt: 0 });
    delete node.downSince;
    this.changedNodes.add(node);
  }

  private failOrRetry(job: JobRecord, state: 'failed' | 'lost', reason: string, now: number): void {
    if (job.attempts <= job.retries) {
      job.reason = reason;
      job.sends = 0;
      job.run += 1;
      this.log('warn', `job ${job.id} on ${job.node} ${state}: ${reason}; re-running (run ${job.attempts + 1} of ${job.retries + 1})`);
      this.requeue(job);
      return;
    }
    this.finish(job, state, reason, now);
    this.log('error', `job ${job.id} on ${job.node} ${state}: ${reason}`);
  }

  /** A job reaches its final state: once (a result after `lost` is kept as a late result instead). */
  private finish(job: JobRecord, state: JobRecord['state'], reason: string, now: number, stats?: Stats): void {
    this.moveTo(job, state);
    job.reason = reason;
    job.finishedAt = now;
    // A cancelled job the node is still running keeps its deadline, so the node is freed in time,
    // and stays held until then: the node's slot points at it.
    if (this.current.get(job.node) !== job.id) {
      job.deadline = undefined;
      this.finished.add(job);
    }
    if (stats) job.stats = stats;
    this.changedJobs.add(job);
    this.effects.push({ type: 'jobFinished', jobId: job.id, state });
  }

  private requeue(job: JobRecord): void {
    this.moveTo(job, 'pending');
    job.deadline = undefined;
    this.enqueue(job);
    this.changedJobs.add(job);
  }

  private enqueue(job: JobRecord): void {
    this.queueOf(job.node).push(job);
  }

  private queueOf(node: string): Heap<JobRecord> {
    let queue = this.queues.get(node);
    if (!queue) {
      queue = new Heap(jobOrder);
      this.queues.set(node, queue);
    }
    return queue;
  }

  /** Sends a node its next job when it is idle, not paused, and not waiting out a backoff. */
  private dispatch(nodeName: string, now: number): void {
    const node = this.state.nodes.get(nodeName);
    if (!node || node.paused || this.current.has(nodeName) || node.retryAt > now) return;
    const queue = this.queueOf(nodeName);
    let job = queue.pop();
    // Entries whose job left 'pending' (cancelled, finished late) are skipped here: lazy deletion.
    while (job && job.state !== 'pending') job = queue.pop();
    if (!job) return;
    this.moveTo(job, 'sent');
    job.sentAt = now;
    job.sends += 1;
    job.deadline = now + runMs(job);
    this.current.set(nodeName, job.id);
    this.changedJobs.add(job);
    this.effects.push({ type: 'sendJob', node: nodeName, jobId: job.id });
  }

  private moveTo(job: JobRecord, state: JobRecord['state']): void {
    const from = job.state;
    job.state = state;
    this.index.moved(job, from);
  }

  /** Retention: a finished job leaves the state, and the store with this step's changes. */
  private remove(job: JobRecord): void {
    this.state.jobs.delete(job.id);
    this.index.removed(job);
    // Written and removed in one step: there is nothing to write.
    this.changedJobs.delete(job);
    this.removedJobs.push(job.id);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.effects.push({ type: 'log', level, message });
  }
}
