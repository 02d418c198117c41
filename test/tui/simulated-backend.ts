import type { TuiBackend } from '../../src/tui/backend.js';
import type { JobRequest, NodeRequest } from '../../src/protocol/control-messages.js';
import { parseJob } from '../../src/input/job.js';
import type { JobInfo, NodeInfo, Snapshot } from '../../src/protocol/view.js';
import { FINAL_STATES } from '../../src/protocol/view.js';
import { job, node, stats } from './fixtures.js';

/**
 * A backend whose nodes run their queues in (scaled) real time, for trying the TUI by hand or in a
 * pseudo-terminal: `npx tsx test/tui/demo.ts`. One simulated second lasts `secondMs` milliseconds.
 */
export class SimulatedBackend implements TuiBackend {
  readonly label = 'simulated scheduler';
  private readonly nodes: NodeInfo[] = [];
  private readonly jobs: JobInfo[] = [];
  private nextId = 1;

  constructor(private readonly secondMs = 1000, private readonly clock: () => number = Date.now) {}

  async snapshot(): Promise<Snapshot> {
    const now = this.clock();
    for (const n of this.nodes) this.advance(n, now);
    return structuredClone({ nodes: this.nodes, jobs: this.jobs, jobs_total: this.jobs.length });
  }

  async addJobs(requests: JobRequest[]): Promise<string[]> {
    const ids: string[] = [];
    const known = new Set(this.nodes.map((n) => n.name));
    // The scheduler's own check, so the UI shows what a real scheduler would say.
    const specs = requests.map((request) => parseJob(JSON.parse(request.json), request.where, { known, allNodes: request.all_nodes }));
    for (const spec of specs) {
      for (const name of spec.nodes) {
        const id = `j${(this.nextId++).toString(16).padStart(12, '0')}`;
        this.jobs.push(job(id, name, { data: spec.data, priority: spec.priority, created_at: this.clock() }));
        ids.push(id);
      }
    }
    return ids;
  }

  async addNodes(requests: NodeRequest[]): Promise<void> {
    for (const r of requests) this.nodes.push(node(r.name, { host: r.host, port: r.port, health: 'up' }));
  }

  async cancel(jobId: string): Promise<void> {
    const found = this.jobs.find((j) => j.id === jobId && !FINAL_STATES.includes(j.state));
    if (!found) throw new Error(`cancel ${jobId}: no such job`);
    this.finish(found, 'cancelled', this.clock());
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    const found = this.nodes.find((n) => n.name === name);
    if (!found) throw new Error(`node ${name}: no such node`);
    found.paused = paused;
  }

  private advance(n: NodeInfo, now: number): void {
    const running = this.jobs.find((j) => j.id === n.running_job);
    if (running) {
      const totalMs = (running.data.w + running.data.t) * this.secondMs;
      n.progress = Math.min(1, (now - running.started_at) / totalMs);
      n.live_mbps = running.data.m * (0.97 + 0.03 * Math.random());
      if (n.progress >= 1) this.finish(running, 'succeeded', now);
    }
    const queue = this.jobs.filter((j) => j.node === n.name && j.state === 'pending').sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    n.pending = queue.length;
    if (!n.running_job && !n.paused && queue[0]) {
      Object.assign(queue[0], { state: 'running', started_at: now, attempts: 1 });
      Object.assign(n, { running_job: queue[0].id, progress: 0, pending: queue.length - 1 });
    }
  }

  private finish(j: JobInfo, state: 'succeeded' | 'cancelled', now: number): void {
    Object.assign(j, { state, finished_at: now, reason: state === 'cancelled' ? 'cancelled by the user' : '' });
    if (state === 'succeeded') j.stats = stats({ tx_mbps: j.data.m * 0.998, requested_mbps: j.data.m });
    const n = this.nodes.find((x) => x.name === j.node)!;
    if (n.running_job === j.id) Object.assign(n, { running_job: '', progress: 0, live_mbps: 0 });
    if (state === 'succeeded') n.done += 1;
    else n.failed += 1;
    n.pending = this.jobs.filter((x) => x.node === n.name && x.state === 'pending').length;
  }
}
