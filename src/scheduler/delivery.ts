import { encodeJob, type Job } from '../protocol/messages.js';
import { PORTS } from '../protocol/ports.js';
import type { sendFrame } from '../transport/client.js';
import { formatAddress } from '../transport/address.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobRecord, NodeRecord } from './types.js';
import type { NodeSessions } from './node-sessions.js';
import { wireJobId } from './wire-id.js';
import { legacyRefusal } from '../input/job.js';

/** What delivery needs from the scheduler: its nodes, where statuses go, and where outcomes go. */
export interface DeliveryOptions {
  send: typeof sendFrame;
  log: Logger;
  node: (name: string) => NodeRecord | undefined;
  statusPort: () => number;
  delivered: (jobId: string) => void;
  failed: (jobId: string, reason: string) => void;
  /** The job cannot run on its node at all (a rate or size mix a legacy node cannot express): it fails with `reason`, unsent. */
  refused: (job: JobRecord, reason: string) => void;
  /** Sessions to pktgen nodes; absent when the scheduler has no key (every node is then legacy). */
  sessions?: NodeSessions;
  /** True for a node driven over the unauthenticated legacy wire. */
  isLegacy: (node: NodeRecord) => boolean;
}

/** Sends jobs and cancel requests to nodes, and reports each delivery's outcome back as an event. */
export class Delivery {
  /** Nodes that have shown they are pktgen nodes, which take cancel requests (a legacy daemon would run one as a job). */
  private readonly cancellable = new Set<string>();

  constructor(private readonly options: DeliveryOptions) {}

  /** A node named itself in a status: it is a pktgen node. */
  sawPktgenNode(name: string): void {
    this.cancellable.add(name);
  }

  /** Delivers a job to its node; the outcome comes back through `delivered` or `failed`. */
  async deliver(job: JobRecord): Promise<void> {
    const node = this.options.node(job.node)!;
    const { sessions } = this.options;
    const legacy = !sessions || this.options.isLegacy(node);
    // Checked again here, not only at submission: a node may have been marked legacy since.
    const refusal = legacy ? legacyRefusal(job.data, node.name) : undefined;
    if (refusal) return this.options.refused(job, refusal);
    try {
      if (!legacy) await sessions.deliver(node.name, this.wireJob(job, false));
      else await this.options.send({ host: node.host, port: node.port }, encodeJob(this.wireJob(job)), { connectTimeoutMs: 3000, ioTimeoutMs: 5000 });
      this.options.delivered(job.id);
    } catch (error) {
      this.options.failed(job.id, describeError(error));
    }
  }

  /** A node left: it no longer counts as one that takes cancel requests (its name may be taken again). */
  forget(name: string): void {
    this.cancellable.delete(name);
  }

  /** Asks a node to stop a cancelled job's run; it answers FAIL "cancelled", which frees the node. */
  async requestCancel(node: NodeRecord, jobId: string, run = 1): Promise<void> {
    const nodeName = node.name;
    const { log, sessions } = this.options;
    const wireId = wireJobId(jobId, run);
    if (sessions && !this.options.isLegacy(node)) {
      if (sessions.cancel(nodeName, wireId)) log.info(`asked node ${nodeName} to stop cancelled job ${jobId}`);
      else log.warn(`job ${jobId} cancelled, but node ${nodeName} has no session to ask on: it runs to its end`);
      return;
    }
    if (!this.cancellable.has(nodeName)) {
      log.warn(`job ${jobId} cancelled, but node ${nodeName} has not shown it can stop a job (a legacy daemon?): it runs to its end`);
      return;
    }
    try {
      await this.options.send({ host: node.host, port: node.port }, encodeJob({ id: wireId, cancel: true }), { connectTimeoutMs: 3000, ioTimeoutMs: 5000, retries: 3 });
      log.info(`asked node ${nodeName} to stop cancelled job ${jobId}`);
    } catch (error) {
      log.warn(`could not ask node ${nodeName} to stop cancelled job ${jobId}: ${describeError(error)}; it runs to its end`);
    }
  }

  /** The job as the node sees it: legacy fields, its run's id, the resolved target, and (legacy wire) where to reply. */
  wireJob(job: JobRecord, legacy = true): Partial<Job> & { id: string } {
    const wire = { ...job.data, id: wireJobId(job.id, job.run), target: this.resolveTarget(job.target) };
    return legacy ? { ...wire, reply_to: `:${this.options.statusPort()}` } : wire;
  }

  /** A node name as target means that node's reflector. */
  resolveTarget(target: string): string {
    const node = this.options.node(target);
    if (!node) return target;
    return node.reflector ?? formatAddress({ host: node.host, port: PORTS.reflect });
  }
}
