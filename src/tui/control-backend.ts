import type { ControlRequest, ControlResponse, JobRequest, NodeRequest } from '../protocol/control-messages.js';
import type { Snapshot } from '../protocol/view.js';
import type { TuiBackend } from './backend.js';

/** Sends one control request and resolves with the response, or rejects with the refusal. */
export type ControlSender = (request: Partial<ControlRequest>) => Promise<ControlResponse>;

/**
 * The terminal UI's backend on top of the control API: the same requests serve the scheduler in
 * this process (`schedule -i`, sender = handleControl) and a remote one (`status --watch`).
 */
export class ControlBackend implements TuiBackend {
  /** @param jobLimit newest jobs per snapshot: a view needs recent results, not a 100k-job history */
  constructor(readonly label: string, private readonly send: ControlSender, private readonly jobLimit = 500) {}

  async snapshot(): Promise<Snapshot> {
    const { nodes, jobs, jobs_total, store_error } = await this.send({ query: true, limit: this.jobLimit });
    return store_error ? { nodes, jobs, jobs_total, store_error } : { nodes, jobs, jobs_total };
  }

  async addJobs(jobs: JobRequest[]): Promise<string[]> {
    return (await this.send({ add_jobs: jobs })).job_ids;
  }

  async addNodes(nodes: NodeRequest[]): Promise<void> {
    await this.send({ add_nodes: nodes });
  }

  async cancel(jobId: string): Promise<void> {
    await this.send({ cancel: [jobId] });
  }

  async setPaused(node: string, paused: boolean): Promise<void> {
    await this.send(paused ? { pause_node: node } : { resume_node: node });
  }
}
