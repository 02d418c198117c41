import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { NodeAgent } from '../agent/agent.js';

/** Every pktgen series a node exports. */
export const NODE_SERIES = ['pktgen_tx_packets_total', 'pktgen_tx_bytes_total', 'pktgen_rx_packets_total', 'pktgen_job_running', 'pktgen_node_jobs_succeeded_total'] as const;

/** What a node's metrics read on each scrape: the agent's own figures, no copy of them. */
export type NodeSource = Pick<NodeAgent, 'totals' | 'busy'>;

/**
 * A node's metrics, read from the agent when scraped. The traffic counters grow when a job
 * succeeds, by its measured figures (the SUCCESS stats `status` shows): a running job's packets
 * count once it ends.
 */
export function nodeRegistry(agent: NodeSource, node: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = (name: string, help: string, read: () => number) => new Counter({
    name, help, registers,
    collect() {
      // A counter has no set(): start from zero and add the agent's running total.
      this.reset();
      this.inc(read());
    },
  });
  counter('pktgen_tx_packets_total', 'Packets sent in the measured windows of the jobs that succeeded on this node', () => agent.totals.txPackets);
  counter('pktgen_tx_bytes_total', 'Frame bytes (Ethernet, FCS included) sent in the measured windows of the jobs that succeeded on this node', () => agent.totals.txBytes);
  counter('pktgen_rx_packets_total', 'Echoes received back in the measured windows of the jobs that succeeded on this node', () => agent.totals.rxPackets);
  counter('pktgen_node_jobs_succeeded_total', 'Jobs that succeeded on this node since it started', () => agent.totals.jobs);
  new Gauge({ name: 'pktgen_job_running', help: '1 while a job runs on this node', registers, collect() { this.set(agent.busy ? 1 : 0); } });
  return registry;
}
