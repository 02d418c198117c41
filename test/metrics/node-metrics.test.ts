import assert from 'node:assert/strict';
import { nodeRegistry, NODE_SERIES, type NodeSource } from '../../src/metrics/node-metrics.js';
import { parseExposition, sampleValue } from '../helpers/prom.js';

describe('node metrics', () => {
  it('reads the agent\'s totals and running job on each scrape, labelled with the node name', async () => {
    const agent: NodeSource = { totals: { jobs: 0, txPackets: 0, txBytes: 0, rxPackets: 0 }, live: { txPackets: 0, txBytes: 0 }, busy: false };
    const registry = nodeRegistry(agent, 'm0');
    const before = parseExposition(await registry.metrics());
    for (const name of NODE_SERIES) assert.equal(sampleValue(before, name, { node: 'm0' }), 0, name);

    // A job runs, two measured intervals so far: tx counts them, rx waits for the result.
    Object.assign(agent, { busy: true });
    Object.assign(agent.live, { txPackets: 60_000, txBytes: 3_840_000 });
    const running = parseExposition(await registry.metrics());
    assert.equal(sampleValue(running, 'pktgen_job_running', { node: 'm0' }), 1);
    assert.equal(sampleValue(running, 'pktgen_tx_packets_total', { node: 'm0' }), 60_000);
    assert.equal(sampleValue(running, 'pktgen_tx_bytes_total', { node: 'm0' }), 3_840_000);
    assert.equal(sampleValue(running, 'pktgen_rx_packets_total', { node: 'm0' }), 0);
    Object.assign(agent.live, { txPackets: 0, txBytes: 0 });

    Object.assign(agent.totals, { jobs: 2, txPackets: 123_456, txBytes: 7_901_184, rxPackets: 123_400 });
    Object.assign(agent, { busy: false });
    const after = parseExposition(await registry.metrics());
    assert.equal(sampleValue(after, 'pktgen_tx_packets_total', { node: 'm0' }), 123_456);
    assert.equal(sampleValue(after, 'pktgen_tx_bytes_total', { node: 'm0' }), 7_901_184);
    assert.equal(sampleValue(after, 'pktgen_rx_packets_total', { node: 'm0' }), 123_400);
    assert.equal(sampleValue(after, 'pktgen_node_jobs_succeeded_total', { node: 'm0' }), 2);
    assert.equal(sampleValue(after, 'pktgen_job_running', { node: 'm0' }), 0);
    // Scraped twice, a counter stays at the total: it is read, not added up again.
    assert.equal(sampleValue(parseExposition(await registry.metrics()), 'pktgen_tx_packets_total', { node: 'm0' }), 123_456);
  });

  it('never lets a counter go down, even if a result says less than the intervals before it', async () => {
    const agent: NodeSource = { totals: { jobs: 0, txPackets: 0, txBytes: 0, rxPackets: 0 }, live: { txPackets: 1_000, txBytes: 64_000 }, busy: true };
    const registry = nodeRegistry(agent, 'm0');
    assert.equal(sampleValue(parseExposition(await registry.metrics()), 'pktgen_tx_packets_total'), 1_000);
    Object.assign(agent, { busy: false, live: { txPackets: 0, txBytes: 0 }, totals: { jobs: 1, txPackets: 990, txBytes: 63_360, rxPackets: 990 } });
    assert.equal(sampleValue(parseExposition(await registry.metrics()), 'pktgen_tx_packets_total'), 1_000);
    Object.assign(agent.totals, { txPackets: 2_000 });
    assert.equal(sampleValue(parseExposition(await registry.metrics()), 'pktgen_tx_packets_total'), 2_000);
  });

  it('also exports the process metrics Prometheus users expect', async () => {
    const registry = nodeRegistry({ totals: { jobs: 0, txPackets: 0, txBytes: 0, rxPackets: 0 }, live: { txPackets: 0, txBytes: 0 }, busy: false }, 'm0');
    const samples = parseExposition(await registry.metrics());
    assert.ok(sampleValue(samples, 'process_resident_memory_bytes')! > 0);
    assert.ok(sampleValue(samples, 'process_start_time_seconds')! > 0);
  });
});
