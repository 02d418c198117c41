import type { TuiBackend } from '../../src/tui/backend.js';
import type { JobRequest, NodeRequest } from '../../src/protocol/control-messages.js';
import type { Snapshot } from '../../src/protocol/view.js';

/** A call the UI made on the backend. */
export type BackendCall =
  | { method: 'addJobs'; jobs: JobRequest[] }
  | { method: 'addNodes'; nodes: NodeRequest[] }
  | { method: 'cancel'; jobId: string }
  | { method: 'setPaused'; node: string; paused: boolean };

/** A TuiBackend that serves a settable snapshot and records every call; `failWith` makes calls reject. */
export class FakeBackend implements TuiBackend {
  readonly label = 'fake scheduler';
  readonly calls: BackendCall[] = [];
  snapshots = 0;
  failWith?: Error;

  constructor(public current: Snapshot) {}

  async snapshot(): Promise<Snapshot> {
    this.snapshots += 1;
    if (this.failWith) throw this.failWith;
    return structuredClone(this.current);
  }

  async addJobs(jobs: JobRequest[]): Promise<string[]> {
    this.record({ method: 'addJobs', jobs });
    return jobs.flatMap((job) => (JSON.parse(job.json) as { nodes: string[] }).nodes.map((_, i) => `jnew${this.calls.length}${i}`));
  }

  async addNodes(nodes: NodeRequest[]): Promise<void> {
    this.record({ method: 'addNodes', nodes });
  }

  async cancel(jobId: string): Promise<void> {
    this.record({ method: 'cancel', jobId });
  }

  async setPaused(node: string, paused: boolean): Promise<void> {
    this.record({ method: 'setPaused', node, paused });
  }

  private record(call: BackendCall): void {
    if (this.failWith) throw this.failWith;
    this.calls.push(call);
  }
}
