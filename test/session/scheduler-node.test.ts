import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeAgent, type AgentOptions } from '../../src/agent/agent.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { DEFAULT_NODE_LIMITS } from '../../src/input/job.js';
import { secretFromBytes, type SessionSecret } from '../../src/session/crypto.js';
import { encodeJob, encodeStatus, type Stats } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { createLogger } from '../../src/log.js';
import type { EmitterSpec } from '../../src/emitter/spec.js';
import { until } from '../helpers/until.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/index.js';

const KEY = secretFromBytes(randomBytes(32));
const data = { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const FAST = { heartbeatMs: 100, silenceMs: 600 };

/** A node agent whose emitter runs take `ms` and are counted. */
function startNode(secret: SessionSecret, runs: EmitterSpec[], log: string[], extra: Partial<AgentOptions> = {}, ms = 200) {
  const agent = new NodeAgent({
    name: 'n0', listen: { host: '127.0.0.1', port: 0 }, schedulerPort: 1, defaultTarget: { host: '127.0.0.1', port: 9 },
    allowFrom: new Allowlist(LOOPBACK_CIDRS, '--allow-from'), allowTarget: new Allowlist(LOOPBACK_CIDRS, '--allow-target'),
    limits: DEFAULT_NODE_LIMITS, maxQueue: 10, statusRetryMs: 2000, graceMs: 1000, helperPath: async () => '/nonexistent',
    log: createLogger({ write: (line) => log.push(line) }), sessionSecret: secret, sessionTiming: FAST,
    run: async (spec, _helper, signal) => {
      runs.push(spec);
      await sleep(ms, undefined, { signal });
      return { tx_packets: 5, tx_bytes: 320, tx_mbps: spec.rateMbps } as Stats;
    },
    ...extra,
  });
  return agent;
}

function startScheduler(secret: SessionSecret, log: string[]) {
  return new SchedulerService({
    listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), tickMs: 20, sessionSecret: secret, name: 'sched', sessionTiming: FAST,
    log: createLogger({ write: (line) => log.push(line) }),
  });
}

describe('sessions: a scheduler drives a node over an authenticated session', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('with the same key, runs jobs over the session; statuses come back on it', async () => {
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const schedLog: string[] = [];
    const agent = startNode(KEY, runs, nodeLog);
    const { port } = await agent.start();
    stops.push(() => agent.stop(500));
    const service = startScheduler(KEY, schedLog);
    await service.start();
    stops.push(() => service.stop());
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    const ids = service.addJobs([{ nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }, { nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
    await until('both jobs succeeded', () => ids.every((id) => service.core.state.jobs.get(id)?.state === 'succeeded'), 10_000);
    assert.equal(runs.length, 2, 'each job ran once');
    assert.equal(service.core.state.nodes.get('n0')!.health, 'up');
    assert.ok(schedLog.some((line) => /session with node n0 at 127\.0\.0\.1:\d+ open/.test(line)));
  });

  it('with a different key, the node refuses, the scheduler logs authentication failed naming the node, and the job stays queued', async () => {
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const schedLog: string[] = [];
    const agent = startNode(secretFromBytes(randomBytes(32)), runs, nodeLog);
    const { port } = await agent.start();
    stops.push(() => agent.stop(500));
    const service = startScheduler(KEY, schedLog);
    await service.start();
    stops.push(() => service.stop());
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    const [id] = service.addJobs([{ nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
    await until('the failure is logged', () => schedLog.some((line) => /node n0: authentication failed: node at 127\.0\.0\.1:\d+ did not prove the cluster key/.test(line)), 5000);
    await sleep(500);
    assert.equal(runs.length, 0);
    assert.equal(service.core.state.jobs.get(id!)!.state, 'pending');
    assert.equal(service.core.state.nodes.get('n0')!.health, 'down');
  });

  it('a node with a key runs no legacy frame from outside --legacy-allow; from inside it, it does', async () => {
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const closed = startNode(KEY, runs, nodeLog);
    const a = await closed.start();
    stops.push(() => closed.stop(500));
    await sendFrame({ host: '127.0.0.1', port: a.port }, encodeJob(data));
    await until('the refusal is logged', () => nodeLog.some((line) => /refused a legacy frame from 127\.0\.0\.1: not in --legacy-allow/.test(line)), 3000);
    await sleep(300);
    assert.equal(runs.length, 0);

    const open = startNode(KEY, runs, nodeLog, { legacyAllow: new Allowlist(['127.0.0.1/32'], '--legacy-allow') });
    const b = await open.start();
    stops.push(() => open.stop(500));
    await sendFrame({ host: '127.0.0.1', port: b.port }, encodeJob(data));
    await until('the legacy job ran', () => runs.length === 1, 3000);
  });

  it('ignores a forged SUCCESS on the status port for a job sent over a session', async () => {
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const schedLog: string[] = [];
    const agent = startNode(KEY, runs, nodeLog, {}, 1500);
    const { port } = await agent.start();
    stops.push(() => agent.stop(500));
    const service = startScheduler(KEY, schedLog);
    const statusAddress = await service.start();
    stops.push(() => service.stop());
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    const [id] = service.addJobs([{ nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
    await until('the job runs', () => service.core.state.jobs.get(id!)?.state === 'running', 5000);
    // The attack of issue 10: 6 bytes to the status port, then a SUCCESS naming the job.
    await sendFrame({ host: '127.0.0.1', port: statusAddress.port }, encodeStatus({ type: 'SUCCESS' }));
    await sendFrame({ host: '127.0.0.1', port: statusAddress.port }, encodeStatus({ type: 'SUCCESS', job_id: id!, node: 'n0' }));
    await sleep(300);
    assert.equal(service.core.state.jobs.get(id!)!.state, 'running');
    assert.ok(schedLog.some((line) => new RegExp(`ignored unauthenticated SUCCESS from 127\\.0\\.0\\.1 for job ${id}: node n0 reports over its session`).test(line)));
    await until('the real SUCCESS', () => service.core.state.jobs.get(id!)?.state === 'succeeded', 5000);
  });

  it('marks a node whose session goes silent down within the silence window, and back up when it returns', async () => {
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const schedLog: string[] = [];
    const agent = startNode(KEY, runs, nodeLog);
    const { port } = await agent.start();
    const service = startScheduler(KEY, schedLog);
    await service.start();
    stops.push(() => service.stop());
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    await until('up', () => service.core.state.nodes.get('n0')!.health === 'up', 5000);
    await agent.stop(100);
    const stoppedAt = Date.now();
    await until('down', () => service.core.state.nodes.get('n0')!.health === 'down', 3000);
    assert.ok(Date.now() - stoppedAt < 3000);
    const again = startNode(KEY, runs, nodeLog, { listen: { host: '127.0.0.1', port } });
    await again.start();
    stops.push(() => again.stop(500));
    await until('up again', () => service.core.state.nodes.get('n0')!.health === 'up', 8000);
  });

  it('keeps a result through a scheduler outage: the node sends it again on the next session, and the job runs once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktgen-session-'));
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const schedLog: string[] = [];
    const agent = startNode(KEY, runs, nodeLog, {}, 800);
    const { port } = await agent.start();
    stops.push(async () => {
      await agent.stop(500);
      rmSync(dir, { recursive: true, force: true });
    });
    const open = () => new SchedulerService({
      listen: { host: '127.0.0.1', port: 0 }, store: SqliteStore.open(join(dir, 'scheduler.db')), tickMs: 20, sessionSecret: KEY, name: 'sched',
      sessionTiming: FAST, log: createLogger({ write: (line) => schedLog.push(line) }),
    });
    const first = open();
    await first.start();
    await first.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    const [id] = first.addJobs([{ nodes: ['n0'], priority: 0, data, target: '', timeoutS: 30, retries: 0 }]);
    await until('the job runs', () => first.core.state.jobs.get(id!)?.state === 'running', 5000);
    await first.stop();
    await until('the node finished it while no scheduler listened', () => nodeLog.some((line) => line.includes(`job ${id} succeeded`)), 5000);
    const second = open();
    await second.start();
    stops.push(() => second.stop());
    await until('the kept SUCCESS arrived', () => second.core.state.jobs.get(id!)?.state === 'succeeded', 8000);
    assert.equal(runs.length, 1);
  });

  it('answers a plain status for a job of a removed node without an error (the node is no longer known)', async () => {
    const schedLog: string[] = [];
    const service = startScheduler(KEY, schedLog);
    const statusAddress = await service.start();
    stops.push(() => service.stop());
    // A port nothing listens on: the job stays pending, and is cancelled by the removal.
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port: 1 }]);
    const [id] = service.addJobs([{ nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
    assert.deepEqual(service.removeNodes(['n0']), [id!]);
    // A late FAIL of that job on the plain status port (from the removed node, or anyone): taken and ignored, not a TypeError and a reset.
    await sendFrame({ host: '127.0.0.1', port: statusAddress.port }, encodeStatus({ type: 'FAIL', job_id: id!, node: 'n0', reason: 'cancelled' }));
    assert.deepEqual([service.core.state.jobs.get(id!)?.state, service.core.state.jobs.get(id!)?.reason], ['cancelled', 'node n0 removed']);
    assert.deepEqual(schedLog.filter((line) => /TypeError|"level":"error"|ERROR/.test(line)), []);
  });

  it('removing a node stops its running job on it, ends its session and never reopens it; its queued jobs are cancelled', async () => {
    const runs: EmitterSpec[] = [];
    const nodeLog: string[] = [];
    const schedLog: string[] = [];
    const agent = startNode(KEY, runs, nodeLog, {}, 20_000);
    const { port } = await agent.start();
    stops.push(() => agent.stop(500));
    const service = startScheduler(KEY, schedLog);
    await service.start();
    stops.push(() => service.stop());
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    const [running, queued] = service.addJobs([{ nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }, { nodes: ['n0'], priority: 0, data, target: '', timeoutS: 5, retries: 0 }]);
    await until('the first job runs', () => service.core.state.jobs.get(running!)?.state === 'running', 5000);
    assert.deepEqual(service.removeNodes(['n0']).sort(), [running!, queued!].sort());
    await until('the node stopped the job', () => nodeLog.some((line) => /cancelling running/.test(line)), 5000);
    // Closed once its FAIL "cancelled" was saved and acknowledged, well before the 5 s grace.
    await until('the session closed', () => nodeLog.some((line) => /session with scheduler "sched" ended/.test(line)), 4000);
    const sessionsOpened = schedLog.filter((line) => /session with node n0 .* open/.test(line)).length;
    await sleep(1500);
    assert.equal(schedLog.filter((line) => /session with node n0 .* open/.test(line)).length, sessionsOpened, 'no new session to a removed node');
    for (const id of [running!, queued!]) assert.deepEqual([service.core.state.jobs.get(id)?.state, service.core.state.jobs.get(id)?.reason], ['cancelled', 'node n0 removed']);
    assert.equal(runs.length, 1, 'the queued job never ran');
    assert.deepEqual(service.nodes(), []);
  });
});
