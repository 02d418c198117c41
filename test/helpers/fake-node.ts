import { decodeJob, encodeStatus, type Job, type StatusTypeName } from '../../src/protocol/messages.js';
import { startFrameServer, type FrameServer } from '../../src/transport/server.js';
import { sendFrame } from '../../src/transport/client.js';

/** How a fake node answers a job. */
export type FakeBehaviour = { kind: 'succeed'; ms: number } | { kind: 'fail'; reason: string } | { kind: 'silent' };

/** A job as a fake node received it, with the time it arrived and finished. */
export interface ReceivedJob {
  job: Job;
  at: number;
  doneAt?: number;
}

/**
 * A stand-in node speaking the wire protocol: takes jobs, answers STARTED then SUCCESS/FAIL to the
 * job's reply address (":PORT" = sender's host), one job at a time like a real node.
 */
export class FakeNode {
  readonly jobs: ReceivedJob[] = [];
  behaviour: FakeBehaviour = { kind: 'succeed', ms: 20 };
  private server?: FrameServer;
  private chain: Promise<void> = Promise.resolve();

  /**
   * @param schedulerPort where statuses go when the job names no reply port
   * @param legacy behave like the old C daemon: always report to 127.0.0.1:schedulerPort, type only
   */
  constructor(private readonly schedulerPort = 1800, private readonly legacy = false) {}

  async start(port = 0): Promise<number> {
    this.server = await startFrameServer({
      host: '127.0.0.1', port,
      handler: (payload, peer) => {
        const job = decodeJob(payload);
        const entry: ReceivedJob = { job, at: Date.now() };
        this.jobs.push(entry);
        const to = this.legacy
          ? { host: '127.0.0.1', port: this.schedulerPort }
          : { host: peer.remoteAddress, port: job.reply_to.startsWith(':') ? Number(job.reply_to.slice(1)) : this.schedulerPort };
        this.chain = this.chain.then(() => this.answer(entry, to));
      },
      onError: () => undefined,
    });
    return this.server.address.port;
  }

  get port(): number {
    return this.server!.address.port;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  private async answer(entry: ReceivedJob, to: { host: string; port: number }): Promise<void> {
    const behaviour = this.behaviour;
    if (behaviour.kind === 'silent') return;
    const status = (type: StatusTypeName, reason = '') =>
      sendFrame(to, encodeStatus(entry.job.id && !this.legacy ? { type, job_id: entry.job.id, node: 'fake', reason } : { type }), { retries: 50, backoffMs: () => 100 })
        .catch(() => undefined);
    await status('STARTED');
    if (behaviour.kind === 'fail') {
      entry.doneAt = Date.now();
      await status('FAIL', behaviour.reason);
      return;
    }
    await new Promise((r) => setTimeout(r, behaviour.ms));
    entry.doneAt = Date.now();
    await status('SUCCESS');
  }
}
