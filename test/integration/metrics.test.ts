import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { httpGet, sampleValue, scrape, type Sample } from '../helpers/prom.js';
import type { Address } from '../../src/transport/address.js';

interface StatusJson {
  nodes: Array<{ name: string; health: string; pending: number; running_job: string }>;
  jobs: Array<{
    id: string; node: string; state: string;
    intervals?: Array<{ tx_packets: number }>;
    stats: { tx_packets: number; tx_bytes: number; rx_packets: number | null } | null;
  }>;
}

const JOB_STATES = ['pending', 'sent', 'running', 'succeeded', 'failed', 'lost', 'cancelled'];

/**
 * Issue 13 item 1's acceptance, on the built binary: a scheduler and a node, each with --metrics,
 * scraped during and after jobs, every series checked against `status --json`.
 */
describe('/metrics of schedule and serve (built binary)', function () {
  this.timeout(120_000);
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  let dir: string;
  let control: string;
  let schedulerMetrics: Address;
  let nodeMetrics: Address;

  const cli = async (...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
  const status = async (): Promise<StatusJson> => {
    const result = await cli('status', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    return JSON.parse(result.stdout) as StatusJson;
  };
  const countsOf = (doc: StatusJson) => Object.fromEntries(JOB_STATES.map((state) => [state, doc.jobs.filter((j) => j.state === state).length]));

  /**
   * A scrape of both endpoints and the status it matches: status is asked before and after the
   * scrape, and the pair is taken only when nothing changed in between (a job may end meanwhile).
   */
  async function consistentScrape(): Promise<{ doc: StatusJson; before: StatusJson; scheduler: Sample[]; node: Sample[] }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await status();
      const [scheduler, node] = [await scrape(schedulerMetrics), await scrape(nodeMetrics)];
      const after = await status();
      const view = (doc: StatusJson) => JSON.stringify({ counts: countsOf(doc), nodes: doc.nodes.map(({ name, health, pending, running_job }) => ({ name, health, pending, running_job })) });
      if (view(before) === view(after)) return { doc: after, before, scheduler, node };
    }
    throw new Error('the scheduler changed during each of 20 scrapes');
  }

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-metrics-'));
    const [nodePort, reflectPort, deadPort, schedulerPort, controlPort, nodeMetricsPort, schedulerMetricsPort] =
      [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    control = `127.0.0.1:${controlPort}`;
    nodeMetrics = { host: '127.0.0.1', port: nodeMetricsPort };
    schedulerMetrics = { host: '127.0.0.1', port: schedulerMetricsPort };
    // m0 sends to its own reflector, so its jobs measure echoes (rx) too; m1 has nobody listening.
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(nodePort), '--name', 'm0', '--scheduler-port', String(schedulerPort),
      '--reflect-port', String(reflectPort), '--target', `127.0.0.1:${reflectPort}`, '--metrics', `127.0.0.1:${nodeMetricsPort}`]);
    children.push(serve);
    await waitForOutput(serve, /listening on .*Prometheus \/metrics/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }, { name: 'm1', ip: '127.0.0.1', port: deadPort }] }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state'), '--metrics', `127.0.0.1:${schedulerMetricsPort}`]);
    children.push(schedule);
    await waitForOutput(schedule, /pktgen scheduler listening on .*Prometheus \/metrics/);
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('during and after jobs, every series matches status --json', async () => {
    for (const duration of ['6', '1', '1']) {
      const submitted = await cli('submit', '--node', 'm0', '--pps', '2000', '--duration', duration, '--latency');
      assert.equal(submitted.exitCode, 0, submitted.stderr);
    }
    assert.equal((await cli('submit', '--node', 'm1', '--pps', '10', '--duration', '1')).exitCode, 0);
    let doc = await status();
    // Running, with a measured interval reported: tx counts it already.
    const runningJob = (d: StatusJson) => d.jobs.find((j) => j.id === d.nodes.find((n) => n.name === 'm0')?.running_job);
    for (let i = 0; i < 100 && !runningJob(doc)?.intervals?.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      doc = await status();
    }

    const during = await consistentScrape();
    const m0 = during.doc.nodes.find((n) => n.name === 'm0')!;
    assert.notEqual(m0.running_job, '', 'm0 runs a job while scraped');
    for (const state of JOB_STATES) {
      assert.equal(sampleValue(during.scheduler, 'pktgen_jobs', { state }), countsOf(during.doc)[state], `pktgen_jobs{state="${state}"}`);
    }
    for (const node of during.doc.nodes) {
      assert.equal(sampleValue(during.scheduler, 'pktgen_node_up', { node: node.name }), node.health === 'up' ? 1 : 0, `pktgen_node_up{node="${node.name}"}`);
      assert.equal(sampleValue(during.scheduler, 'pktgen_node_queue_depth', { node: node.name }), node.pending, `pktgen_node_queue_depth{node="${node.name}"}`);
    }
    assert.equal(sampleValue(during.scheduler, 'pktgen_node_up', { node: 'm0' }), 1);
    assert.equal(sampleValue(during.scheduler, 'pktgen_node_up', { node: 'm1' }), 0);
    assert.equal(sampleValue(during.scheduler, 'pktgen_node_queue_depth', { node: 'm1' }), 1);
    assert.equal(sampleValue(during.node, 'pktgen_job_running', { node: 'm0' }), 1);
    const firstJob = runningJob(during.doc)!;
    assert.equal(firstJob.id, doc.jobs[0]!.id, 'the first job is the one scraped');
    const txDuring = sampleValue(during.node, 'pktgen_tx_packets_total', { node: 'm0' })!;
    // Intervals go on while scraped: the status asked just before the scrape is the lower bound.
    const liveTx = (runningJob(during.before)?.intervals ?? []).reduce((sum, interval) => sum + interval.tx_packets, 0);
    assert.ok(liveTx > 0 && txDuring >= liveTx, `tx counted while the job runs: ${txDuring}, its intervals in status say ${liveTx}`);
    assert.equal(sampleValue(during.node, 'pktgen_rx_packets_total', { node: 'm0' }), 0, 'echoes count once the job ends');

    let last = await status();
    for (let i = 0; i < 300 && last.jobs.filter((j) => j.node === 'm0' && j.state === 'succeeded').length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await status();
    }
    const done = await consistentScrape();
    const m0Jobs = done.doc.jobs.filter((j) => j.node === 'm0');
    assert.deepEqual(m0Jobs.map((j) => j.state), ['succeeded', 'succeeded', 'succeeded']);
    const sum = (field: 'tx_packets' | 'tx_bytes' | 'rx_packets') => m0Jobs.reduce((total, j) => total + (j.stats![field] ?? 0), 0);
    assert.ok(sum('tx_packets') > 0 && sum('rx_packets') > 0, 'the jobs sent and measured echoes');
    assert.equal(sampleValue(done.node, 'pktgen_tx_packets_total', { node: 'm0' }), sum('tx_packets'));
    assert.ok(txDuring <= m0Jobs.find((j) => j.id === firstJob.id)!.stats!.tx_packets, 'what counted during the job is part of its result');
    assert.equal(sampleValue(done.node, 'pktgen_tx_bytes_total', { node: 'm0' }), sum('tx_bytes'));
    assert.equal(sampleValue(done.node, 'pktgen_rx_packets_total', { node: 'm0' }), sum('rx_packets'));
    assert.equal(sampleValue(done.node, 'pktgen_job_running', { node: 'm0' }), 0);
    for (const state of JOB_STATES) assert.equal(sampleValue(done.scheduler, 'pktgen_jobs', { state }), countsOf(done.doc)[state]);
    // Jobs 2 and 3 were waiting when the job before them ended: two dispatch times.
    assert.equal(sampleValue(done.scheduler, 'pktgen_dispatch_seconds_count'), 2);
    assert.equal(sampleValue(done.scheduler, 'pktgen_job_duration_seconds_count', { state: 'succeeded' }), 3);
    // STARTED to SUCCESS spans at least the 8 measured seconds of the three jobs.
    assert.ok(sampleValue(done.scheduler, 'pktgen_job_duration_seconds_sum', { state: 'succeeded' })! >= 8);
  });

  it('answers only GET /metrics', async () => {
    assert.equal((await httpGet(schedulerMetrics, '/')).status, 404);
    assert.equal((await httpGet(nodeMetrics, '/metrics', { method: 'PUT' })).status, 405);
  });

  it('refuses a non-loopback --metrics without --metrics-public, and --metrics-public alone (exit 2)', async () => {
    const refused = await execa(PKTGEN, ['schedule', '--metrics', '0.0.0.0:9464', '--state-dir', join(dir, 'refused')], { reject: false, env: pktgenEnv() });
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /--metrics 0\.0\.0\.0:9464: 0\.0\.0\.0 is not a loopback address: .*--metrics-public/);
    const alone = await execa(PKTGEN, ['serve', '--metrics-public'], { reject: false, env: pktgenEnv() });
    assert.equal(alone.exitCode, 2);
    assert.match(alone.stderr, /--metrics/);
  });
});
