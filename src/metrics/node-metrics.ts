import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { NodeAgent } from '../agent/agent.js';

/** Every pktgen series a node exports. */
export const NODE_SERIES = ['pktgen_tx_packets_total', 'pktgen_tx_bytes_total', 'pktgen_rx_packets_total', 'pktgen_job_running', 'pktgen_node_jobs_succeeded_total'] as const;

/** What a node's metrics read on each scrape: the agent's own figures, no copy of them. */
export type NodeSource = Pick<NodeAgent, 'totals' | 'live' | 'busy'>;

/**
 * A node's metrics, read from the agent when scraped. tx grows with each measured interval of the
 * running job (warm-up excluded); once a job succeeds its count is its result's (what `status`
 * shows). rx grows when a job succeeds, by its result: echoes are only attributed at the end.
 */
export function nodeRegistry(agent: NodeSource, node: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ node });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = (name: string, help: string, read: () => number) => {
    // Never down, whatever a result says against the intervals before it: a drop would read as a restart.
    let shown = 0;
    return new Counter({
      name, help, registers,
      collect() {
        // A counter has no set(): start from zero and add the agent's running total.
        shown = Math.max(shown, read());
        this.reset();
        this.inc(shown);
      },
    });
  };
  counter('pktgen_tx_packets_total', 'Packets sent in the measured windows of jobs on this node, the running one included', () => agent.totals.txPackets + agent.live.txPackets);
  counter('pktgen_tx_bytes_total', 'Frame bytes (Ethernet, FCS included) sent in the measured windows of jobs on this node, the running one included', () => agent.totals.txBytes + agent.live.txBytes);
  counter('pktgen_rx_packets_total', 'Echoes received back in the measured windows of the jobs that succeeded on this node', () => agent.totals.rxPackets);
  counter('pktgen_node_jobs_succeeded_total', 'Jobs that succeeded on this node since it started', () => agent.totals.jobs);
  new Gauge({ name: 'pktgen_job_running', help: '1 while a job runs on this node', registers, collect() { this.set(agent.busy ? 1 : 0); } });
  return registry;
}
