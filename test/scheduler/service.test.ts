import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import type { JobData } from '../../src/protocol/messages.js';
import { FakeNode } from '../helpers/fake-node.js';
import { until } from '../helpers/until.js';

const data = (m: number): JobData => ({ m, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false });
const spec = (nodes: string[], priority: number, m: number, retries = 0) => ({ nodes, priority, data: data(m), target: '', timeoutS: 5, retries });


describe('scheduler service with fake nodes on loopback', () => {
  let service: SchedulerService;
  let nodes: FakeNode[];
  const logs: string[] = [];

  async function startService(): Promise<void> {
    service = new SchedulerService({
      listen: { host: '127.0.0.1', port: 0 },
      store: new MemoryStore(),
      log: createLogger({ write: (line) => logs.push(line) }),
      tickMs: 20,
      core: { backoffMs: () => 50, probeIntervalMs: 100, failuresBeforeDown: 2 },
    });
    await service.start();
  }

  const jobsOf = (state: string) => [...service.core.state.jobs.values()].filter((j) => j.state === state);

  beforeEach(() => {
    nodes = [];
    logs.length = 0;
  });
  afterEach(async () => {
    await service.stop();
    for (const node of nodes) await node.stop();
  });

  it('runs priorities 3, 1, 2, 1 on one node as first 1, second 1, 2, 3', async () => {
    const node = new FakeNode();
    nodes.push(node);
    await node.start();
    await startService();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
    service.addJobs([spec(['m0'], 3, 3), spec(['m0'], 1, 11), spec(['m0'], 2, 2), spec(['m0'], 1, 12)]);
    await until('4 successes', () => jobsOf('succeeded').length === 4);
    assert.deepEqual(node.jobs.map((j) => j.job.m), [11, 12, 2, 3]);
    for (let i = 1; i < node.jobs.length; i++) assert.ok(node.jobs[i]!.at >= node.jobs[i - 1]!.doneAt!, 'overlap');
  });

  it('keeps two nodes on the same host with different ports apart', async () => {
    const [a, b] = [new FakeNode(), new FakeNode()];
    nodes.push(a, b);
    await a.start();
    await b.start();
    await startService();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: a.port }, { name: 'm1', host: '127.0.0.1', port: b.port }]);
    service.addJobs([spec(['m0'], 1, 100), spec(['m1'], 1, 200), spec(['m0', 'm1'], 2, 300)]);
    await until('4 successes', () => jobsOf('succeeded').length === 4);
    assert.deepEqual(a.jobs.map((j) => j.job.m), [100, 300]);
    assert.deepEqual(b.jobs.map((j) => j.job.m), [200, 300]);
    const byId = new Map(service.core.state.jobs);
    for (const received of [...a.jobs, ...b.jobs]) assert.equal(byId.get(received.job.id)?.state, 'succeeded');
  });

  it('moves on past a node that answers FAIL and records the reason', async () => {
    const node = new FakeNode();
    nodes.push(node);
    await node.start();
    node.behaviour = { kind: 'fail', reason: 'target 192.0.2.1:9 is not in --allow-target' };
    await startService();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
    service.addJobs([spec(['m0'], 1, 1), spec(['m0'], 2, 2)]);
    await until('2 failures', () => jobsOf('failed').length === 2);
    assert.deepEqual(jobsOf('failed').map((j) => j.reason), Array(2).fill('target 192.0.2.1:9 is not in --allow-target'));
  });

  it('refuses a rate a legacy node cannot express, naming the node and the value, and sends nothing for it', async () => {
    const node = new FakeNode();
    nodes.push(node);
    await node.start();
    await startService();
    // Without a key every node is driven over the legacy wire: it knows only whole Mbit/s.
    await service.addNodes([{ name: 'old1', host: '127.0.0.1', port: node.port }]);
    const half = { ...spec(['old1'], 1, 0), data: { ...data(0), rate_bps: 500_000 } };
    const pps = { ...spec(['old1'], 2, 0), data: { ...data(0), pps: 1000 } };
    service.addJobs([half, pps, spec(['old1'], 3, 7)]);
    await until('1 success', () => jobsOf('succeeded').length === 1);
    assert.deepEqual(jobsOf('failed').map((j) => j.reason), [
      'node old1: rate = "500 kbit/s": expected a whole Mbit/s ("m"), the only rate a legacy node takes',
      'node old1: pps = 1000: expected a whole Mbit/s ("m"), the only rate a legacy node takes',
    ]);
    // Only the whole-Mbit/s job reached the node: the others were never rounded to m = 0 and sent.
    assert.deepEqual(node.jobs.map((j) => j.job.m), [7]);
  });

  it('refuses a size mix to a legacy node, naming the node and the mix, and sends nothing for it', async () => {
    const node = new FakeNode();
    nodes.push(node);
    await node.start();
    await startService();
    await service.addNodes([{ name: 'old1', host: '127.0.0.1', port: node.port }]);
    const imix = { ...spec(['old1'], 1, 5), data: { ...data(5), s_max: 1518, sizes: [{ size: 64, weight: 7 }, { size: 594, weight: 4 }, { size: 1518, weight: 1 }] } };
    service.addJobs([imix, spec(['old1'], 2, 7)]);
    await until('1 success', () => jobsOf('succeeded').length === 1);
    assert.deepEqual(jobsOf('failed').map((j) => j.reason), [
      'node old1: size = "64:7,594:4,1518:1": expected one size or a range ("s_min"/"s_max"), the only sizes a legacy node takes',
    ]);
    // Only the one-size job reached the node: the mix was never sent as a uniform range.
    assert.deepEqual(node.jobs.map((j) => j.job.m), [7]);
  });

  it('holds the jobs of a node that is down and runs them when it comes up', async () => {
    const node = new FakeNode();
    nodes.push(node);
    const port = await node.start();
    await node.stop();
    await startService();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port }]);
    service.addJobs([spec(['m0'], 1, 1), spec(['m0'], 1, 2)]);
    await until('node down', () => service.core.state.nodes.get('m0')?.health === 'down');
    assert.equal(jobsOf('succeeded').length, 0);
    assert.equal(service.core.pendingCount('m0'), 2);
    await node.start(port);
    await until('2 successes', () => jobsOf('succeeded').length === 2);
    assert.deepEqual(node.jobs.map((j) => j.job.m), [1, 2]);
    assert.ok(logs.some((l) => /node m0 .* is down/.test(l)), logs.join(''));
    assert.ok(logs.some((l) => /node m0 is back up/.test(l)), logs.join(''));
  });

  it('drives an old node daemon that reports to 127.0.0.1 with legacy statuses', async () => {
    await startService();
    const node = new FakeNode(service.statusPort, true);
    nodes.push(node);
    await node.start();
    await service.addNodes([{ name: 'old', host: '127.0.0.1', port: node.port }]);
    service.addJobs([spec(['old'], 2, 2), spec(['old'], 1, 1)]);
    await until('2 successes', () => jobsOf('succeeded').length === 2);
    assert.deepEqual(node.jobs.map((j) => j.job.m), [1, 2]);
  });

  it('resolves a target given as a node name to that node\'s reflector', async () => {
    await startService();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }, { name: 'r1', host: '127.0.0.2', port: 2, reflector: '127.0.0.2:7000' }, { name: 'r2', host: '127.0.0.3', port: 3 }]);
    assert.equal(service.delivery.resolveTarget('r1'), '127.0.0.2:7000');
    assert.equal(service.delivery.resolveTarget('r2'), '127.0.0.3:1730');
    assert.equal(service.delivery.resolveTarget('127.0.0.9:9'), '127.0.0.9:9');
  });
});
