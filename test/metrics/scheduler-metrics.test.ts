import assert from 'node:assert/strict';
import type { Registry } from 'prom-client';
import { SchedulerService } from '../../src/scheduler/service.js';
import { nodeInfos } from '../../src/scheduler/snapshot.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { JOB_STATES } from '../../src/protocol/view.js';
import type { JobData } from '../../src/protocol/messages.js';
import { schedulerRegistry, SCHEDULER_SERIES } from '../../src/metrics/scheduler-metrics.js';
import { FakeNode } from '../helpers/fake-node.js';
import { until } from '../helpers/until.js';
import { parseExposition, sampleValue, type Sample } from '../helpers/prom.js';

const data: JobData = { m: 1, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const spec = (node: string) => ({ nodes: [node], priority: 0, data, target: '', timeoutS: 30, retries: 0 });

describe('scheduler metrics read from a running scheduler service', () => {
  let service: SchedulerService;
  let node: FakeNode;
  let registry: Registry;
  const samples = async (): Promise<Sample[]> => parseExposition(await registry.metrics());

  beforeEach(async () => {
    node = new FakeNode();
    await node.start();
    service = new SchedulerService({
      listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }),
      tickMs: 20, core: { backoffMs: () => 50, probeIntervalMs: 100, failuresBeforeDown: 1 },
    });
    await service.start();
    registry = schedulerRegistry(service);
  });
  afterEach(async () => {
    await service.stop();
    await node.stop();
  });

  it('exports every series it names, jobs by state, node up and queue depth as status shows them', async () => {
    // m1's port has nobody listening: it goes down.
    const closed = new FakeNode();
    const deadPort = await closed.start();
    await closed.stop();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }, { name: 'm1', host: '127.0.0.1', port: deadPort }]);
    node.behaviour = { kind: 'succeed', ms: 400 };
    service.addJobs([spec('m0'), spec('m0'), spec('m0'), spec('m1')]);
    await until('m0 running its first job and m1 down', () => service.jobs().some((j) => j.state === 'running') && service.nodes()[1]!.health === 'down');

    const during = await samples();
    const names = new Set(during.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of SCHEDULER_SERIES) assert.ok(names.has(name), `${name} is missing`);
    for (const state of JOB_STATES) {
      assert.equal(sampleValue(during, 'pktgen_jobs', { state }), service.jobs().filter((j) => j.state === state).length, `pktgen_jobs{state="${state}"}`);
    }
    for (const info of nodeInfos(service)) {
      assert.equal(sampleValue(during, 'pktgen_node_up', { node: info.name }), info.health === 'up' ? 1 : 0);
      assert.equal(sampleValue(during, 'pktgen_node_queue_depth', { node: info.name }), info.pending);
    }
    assert.equal(sampleValue(during, 'pktgen_node_up', { node: 'm0' }), 1);
    assert.equal(sampleValue(during, 'pktgen_node_up', { node: 'm1' }), 0);
    assert.equal(sampleValue(during, 'pktgen_node_queue_depth', { node: 'm1' }), 1);

    await until('m0\'s three jobs done', () => service.jobs().filter((j) => j.state === 'succeeded').length === 3, 20_000);
    const after = await samples();
    assert.equal(sampleValue(after, 'pktgen_jobs', { state: 'succeeded' }), 3);
    assert.equal(sampleValue(after, 'pktgen_jobs', { state: 'pending' }), 1);
    assert.equal(sampleValue(after, 'pktgen_node_queue_depth', { node: 'm0' }), 0);
    // Jobs 2 and 3 went out after the status of the one before: two dispatch times, each well under a job's length.
    assert.equal(sampleValue(after, 'pktgen_dispatch_seconds_count'), 2);
    assert.ok(sampleValue(after, 'pktgen_dispatch_seconds_sum')! < 0.8);
    // Each of the three ran about 400 ms from STARTED to SUCCESS.
    assert.equal(sampleValue(after, 'pktgen_job_duration_seconds_count', { state: 'succeeded' }), 3);
    const durationSum = sampleValue(after, 'pktgen_job_duration_seconds_sum', { state: 'succeeded' })!;
    const expected = service.jobs().filter((j) => j.state === 'succeeded').reduce((sum, j) => sum + (j.finishedAt! - j.startedAt!) / 1000, 0);
    assert.ok(Math.abs(durationSum - expected) < 1e-6, `duration sum ${durationSum}, jobs say ${expected}`);
  });

  it('counts no dispatch time for a job sent to an idle node, and drops a removed node\'s series', async () => {
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
    service.addJobs([spec('m0')]);
    await until('the job done', () => service.jobs()[0]?.state === 'succeeded');
    service.addJobs([spec('m0')]);
    await until('the second job done', () => service.jobs()[1]?.state === 'succeeded');
    const after = await samples();
    assert.equal(sampleValue(after, 'pktgen_dispatch_seconds_count'), 0);
    assert.equal(sampleValue(after, 'pktgen_job_duration_seconds_count', { state: 'succeeded' }), 2);
    service.removeNodes(['m0']);
    await until('m0 gone', () => service.nodes().length === 0);
    const gone = await samples();
    assert.equal(sampleValue(gone, 'pktgen_node_up', { node: 'm0' }), undefined);
    assert.equal(sampleValue(gone, 'pktgen_node_queue_depth', { node: 'm0' }), undefined);
  });
});
