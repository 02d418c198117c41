import type { ControlRequest, ControlResponse } from '../protocol/control.js';
import type { JobRequest, NodeRequest, TuiBackend } from '../tui/backend.js';
import type { Snapshot } from '../scheduler/snapshot.js';
import { DEFAULT_GRACE_S, DEFAULT_NODE_PORT } from '../scheduler/files.js';

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
    const { nodes, jobs, jobs_total } = await this.send({ query: true, limit: this.jobLimit });
    return { nodes, jobs, jobs_total };
  }

  async addJobs(jobs: JobRequest[]): Promise<string[]> {
    const add_jobs = jobs.map((job) => ({ ...job, all_nodes: false, timeout_s: DEFAULT_GRACE_S, retries: 0 }));
    return (await this.send({ add_jobs })).job_ids;
  }

  async addNodes(nodes: NodeRequest[]): Promise<void> {
    await this.send({ add_nodes: nodes.map((n) => ({ ...n, port: n.port || DEFAULT_NODE_PORT, reflector: '' })) });
  }

  async cancel(jobId: string): Promise<void> {
    await this.send({ cancel: [jobId] });
  }

  async setPaused(node: string, paused: boolean): Promise<void> {
    await this.send(paused ? { pause_node: node } : { resume_node: node });
  }
}
