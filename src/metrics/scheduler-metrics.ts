import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { FINAL_STATES, JOB_STATES } from '../protocol/view.js';
import type { Effect } from '../scheduler/core.js';
import type { SchedulerService } from '../scheduler/service.js';

/** Every pktgen series a scheduler exports (a histogram adds _bucket, _sum and _count). */
export const SCHEDULER_SERIES = ['pktgen_jobs', 'pktgen_node_up', 'pktgen_node_queue_depth', 'pktgen_dispatch_seconds', 'pktgen_job_duration_seconds'] as const;

/** From the status that freed a node to the next job sent to it: the scheduler's own overhead, store save included. */
const DISPATCH_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Jobs run for w + t seconds: from a second to hours. */
const DURATION_BUCKETS_S = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/**
 * The scheduler's metrics. The gauges read the scheduler's own state on each scrape (no second copy
 * of it to drift); the histograms are fed by the effects the scheduler carries out.
 */
export function schedulerRegistry(service: SchedulerService, now: () => number = Date.now): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const { core } = service;
  new Gauge({
    name: 'pktgen_jobs', help: 'Jobs the scheduler holds, by state (finished jobs until --keep-jobs/--keep-for remove them)', labelNames: ['state'], registers,
    collect() {
      for (const state of JOB_STATES) this.set({ state }, core.index.count('', state));
    },
  });
  new Gauge({
    name: 'pktgen_node_up', help: '1 while the scheduler reaches the node, 0 while it is down or not yet reached', labelNames: ['node'], registers,
    collect() {
      this.reset(); // a removed node's series goes with it
      for (const node of service.nodes()) this.set({ node: node.name }, node.health === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'pktgen_node_queue_depth', help: 'Jobs waiting for the node (pending; the running one not counted), as status shows', labelNames: ['node'], registers,
    collect() {
      this.reset();
      for (const node of service.nodes()) this.set({ node: node.name }, core.pendingCount(node.name));
    },
  });
  const dispatch = new Histogram({
    name: 'pktgen_dispatch_seconds', help: 'From the status that ended a node\'s job to its next job sent, when one was waiting', buckets: DISPATCH_BUCKETS_S, registers,
  });
  const duration = new Histogram({
    name: 'pktgen_job_duration_seconds', help: 'Finished jobs, from STARTED to their end, by final state', labelNames: ['state'], buckets: DURATION_BUCKETS_S, registers,
  });
  // Every final state from the start, at zero: a series that appears only later breaks rate() and alerts.
  for (const state of FINAL_STATES) duration.zero({ state });
  // When a node's job ended with a next one waiting: the start of its dispatch time.
  const freedAt = new Map<string, number>();
  service.on('effect', (effect: Effect) => {
    if (effect.type === 'jobFinished') {
      const job = core.state.jobs.get(effect.jobId);
      if (!job) return;
      if (job.startedAt !== undefined && job.finishedAt !== undefined) duration.observe({ state: effect.state }, Math.max(0, job.finishedAt - job.startedAt) / 1000);
      const byStatus = effect.state === 'succeeded' || effect.state === 'failed';
      const node = core.state.nodes.get(job.node);
      // Only a node with work waiting measures the scheduler: an idle one waits for the user. The
      // same step may already have picked the next job (sent, its sendJob effect follows this one).
      const next = core.currentJob(job.node);
      const waiting = core.pendingCount(job.node) > 0 || (next !== undefined && next.id !== job.id && next.state === 'sent');
      if (byStatus && node && !node.paused && waiting) freedAt.set(job.node, job.finishedAt ?? now());
      else freedAt.delete(job.node);
    } else if (effect.type === 'sendJob') {
      const since = freedAt.get(effect.node);
      freedAt.delete(effect.node);
      if (since !== undefined) dispatch.observe(Math.max(0, now() - since) / 1000);
    } else if (effect.type === 'forgetNode') {
      freedAt.delete(effect.node.name);
    }
  });
  return registry;
}
