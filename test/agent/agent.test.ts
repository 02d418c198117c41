import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { NodeAgent, type AgentOptions } from '../../src/agent/agent.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { DEFAULT_NODE_LIMITS } from '../../src/input/job.js';
import { encodeJob, type Job, type Stats } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { createLogger } from '../../src/log.js';
import type { EmitterSpec } from '../../src/emitter/spec.js';
import type { IntervalEchoesEvent, IntervalEvent } from '../../src/emitter/output.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';

const job: Partial<Job> = { m: 10, t: 1, w: 0, n: 2, s_min: 200, s_max: 800 };

/** A fake emitter run that takes `ms`, records overlap, and can be aborted. */
function fakeRun(log: Array<{ spec: EmitterSpec; start: number; end: number }>, ms = 50) {
  return async (spec: EmitterSpec, _helper: string, signal: AbortSignal, _timeoutMs: number, onInterval: (event: IntervalEvent | IntervalEchoesEvent) => void): Promise<Stats> => {
    const start = Date.now();
    setTimeout(() => onInterval({ event: 'interval', phase: 'measure', t: 1, tx_packets: 7, tx_bytes: 700, tx_mbps: 5.5, tx_mpps: 0.000007 }), ms / 2);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('aborted')); });
    });
    log.push({ spec, start, end: Date.now() });
    return { tx_packets: 42, tx_bytes: 42 * 500, tx_mbps: spec.rateMbps } as Stats;
  };
}

describe('agent: node daemon behaviour', () => {
  let scheduler: FakeScheduler;
  let agent: NodeAgent;
  let port: number;
  let runs: Array<{ spec: EmitterSpec; start: number; end: number }>;
  const logLines: string[] = [];

  async function startAgent(overrides: Partial<AgentOptions> = {}, runMs = 50): Promise<void> {
    agent = new NodeAgent({
      name: 'm0',
      listen: { host: '127.0.0.1', port: 0 },
      schedulerPort: scheduler.port,
      defaultTarget: { host: '127.0.0.1', port: 9 },
      allowFrom: new Allowlist(LOOPBACK_CIDRS, '--allow-from'),
      allowTarget: new Allowlist(LOOPBACK_CIDRS, '--allow-target'),
      limits: DEFAULT_NODE_LIMITS,
      maxQueue: 10,
      statusRetryMs: 5000,
      graceMs: 1000,
      helperPath: async () => '/nonexistent',
      log: createLogger({ write: (line) => logLines.push(line), level: 'debug' }),
      run: fakeRun(runs, runMs),
      ...overrides,
    });
    port = (await agent.start()).port;
  }

  beforeEach(async () => {
    runs = [];
    logLines.length = 0;
    scheduler = new FakeScheduler();
    await scheduler.start();
  });
  afterEach(async () => {
    await agent?.stop(500);
    await scheduler.close();
  });

  it('gives a legacy job exactly the old conversation: STARTED then SUCCESS, legacy bytes', async () => {
    await startAgent();
    await sendFrame({ host: '127.0.0.1', port }, encodeJob(job));
    const [started, success] = await scheduler.waitFor(2);
    assert.equal(started?.raw, '0803');
    assert.equal(success?.raw, '0801');
    assert.equal(runs[0]?.spec.flows, 2);
    assert.equal(runs[0]?.spec.sizeMax, 800);
  });

  it('asks the reflector for one-way figures when every frame has room for the answer (104 bytes over IPv4), not otherwise', async () => {
    await startAgent();
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'ow-1', s_min: 104, s_max: 0 }));
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'ow-2', s_min: 103, s_max: 1500 }));
    await scheduler.waitFor(4);
    assert.deepEqual(runs.map((r) => r.spec.oneWay ?? false), [true, false]);
  });

  it('reports job id, node and statistics for a job with an id', async () => {
    await startAgent();
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'j-7' }));
    const [started, success] = await scheduler.waitFor(2);
    assert.deepEqual([started?.type, started?.job_id, started?.node], ['STARTED', 'j-7', 'm0']);
    assert.equal(success?.type, 'SUCCESS');
    assert.equal(success?.stats?.tx_packets, 42);
  });

  it('sends statuses to the reply address when the job names one', async () => {
    const other = new FakeScheduler();
    const otherPort = await other.start();
    try {
      await startAgent();
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'r', reply_to: `127.0.0.1:${otherPort}` }));
      assert.deepEqual((await other.waitFor(2)).map((s) => s.type), ['STARTED', 'SUCCESS']);
      assert.equal(scheduler.statuses.length, 0);
    } finally {
      await other.close();
    }
  });

  it('takes ":PORT" as a reply address on the job connection\'s source host', async () => {
    const other = new FakeScheduler();
    const otherPort = await other.start();
    try {
      await startAgent();
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'p', reply_to: `:${otherPort}` }));
      assert.deepEqual((await other.waitFor(2)).map((s) => s.type), ['STARTED', 'SUCCESS']);
    } finally {
      await other.close();
    }
  });

  it('refuses a reply_to on another host: FAIL to the source host, no connection there, no run', async () => {
    // 127.0.0.2 is "another host" on loopback: the job comes from 127.0.0.1.
    let connections = 0;
    const elsewhere = createServer((socket) => { connections++; socket.destroy(); });
    elsewhere.listen(0, '127.0.0.2');
    await once(elsewhere, 'listening');
    try {
      await startAgent();
      const { port: otherPort } = elsewhere.address() as { port: number };
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'far', reply_to: `127.0.0.2:${otherPort}` }));
      const [fail] = await scheduler.waitFor(1);
      assert.equal(fail?.type, 'FAIL');
      assert.equal(fail?.reason, `reply_to 127.0.0.2:${otherPort}: statuses go only to the job's source host 127.0.0.1 or to --legacy-allow (none)`);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(connections, 0);
      assert.equal(runs.length, 0);
    } finally {
      elsewhere.close();
    }
  });

  it('sends statuses to another host when --legacy-allow holds it', async () => {
    const other = new FakeScheduler();
    const otherPort = await other.start(0, '127.0.0.2');
    try {
      await startAgent({ legacyAllow: new Allowlist(['127.0.0.2/32'], '--legacy-allow') });
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'lab', reply_to: `127.0.0.2:${otherPort}` }));
      assert.deepEqual((await other.waitFor(2)).map((s) => s.type), ['STARTED', 'SUCCESS']);
    } finally {
      await other.close();
    }
  });

  const invalid: Array<[string, Partial<Job>, RegExp]> = [
    ['s_min above s_max', { s_min: 900, s_max: 800 }, /^s_max = 800: expected 0 \(= s_min\) or an integer frame size 900\.\.9000$/],
    ['a frame below 64 bytes', { s_min: 60, s_max: 0 }, /^s_min = 60: expected an integer frame size 64\.\.9000$/],
    ['a zero duration', { t: 0 }, /^t = 0: expected an integer duration 1\.\.3600 s$/],
    ['a negative rate', { m: -5 }, /^m = -5: expected an integer rate 0\.\.100000 Mbit\/s/],
    ['a target outside --allow-target', { target: '192.0.2.1:9' }, /192\.0\.2\.1:9 .*not in --allow-target/],
    ['a malformed target', { target: 'nowhere' }, /missing port/],
  ];
  for (const [what, fields, reason] of invalid) {
    it(`answers FAIL with a reason, without running, for ${what}`, async () => {
      await startAgent();
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, ...fields, id: 'bad' }));
      const [fail] = await scheduler.waitFor(1);
      assert.equal(fail?.type, 'FAIL');
      assert.match(fail?.reason ?? '', reason);
      assert.equal(runs.length, 0);
    });
  }

  it('runs jobs sent back to back one after the other, in arrival order', async () => {
    await startAgent({}, 150);
    for (const id of ['a', 'b', 'c']) await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id, m: id.charCodeAt(0) }));
    const statuses = await scheduler.waitFor(6);
    assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}`),
      ['STARTED:a', 'SUCCESS:a', 'STARTED:b', 'SUCCESS:b', 'STARTED:c', 'SUCCESS:c']);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.start >= runs[i - 1]!.end, 'runs overlapped');
  });

  it('drops a garbage frame on its own connection and keeps serving', async () => {
    await startAgent();
    const socket = connect(port, '127.0.0.1');
    const closed = once(socket, 'close');
    socket.end(Buffer.from('00000003ffffff', 'hex'));
    await closed;
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'after' }));
    assert.deepEqual((await scheduler.waitFor(2)).map((s) => s.type), ['STARTED', 'SUCCESS']);
    assert.ok(logLines.some((line) => line.includes('ERR_DECODE') || line.includes('cannot decode Job')), logLines.join(''));
  });

  it('refuses connections from outside --allow-from and says so in the log', async () => {
    await startAgent({ allowFrom: new Allowlist(['10.0.0.0/8'], '--allow-from') });
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'x' })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(scheduler.statuses.length, 0);
    assert.equal(runs.length, 0);
    assert.ok(logLines.some((line) => line.includes('not in --allow-from')));
  });

  it('on stop fails the running and the queued jobs with "node shutting down"', async () => {
    await startAgent({}, 10_000);
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'running' }));
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'queued' }));
    await scheduler.waitFor(1);
    await agent.stop(2000);
    const byJob = Object.fromEntries(scheduler.statuses.filter((s) => s.type === 'FAIL').map((s) => [s.job_id, s.reason]));
    assert.deepEqual(byJob, { running: 'node shutting down', queued: 'node shutting down' });
  });

  it('cancels a running job and a queued one: FAIL "cancelled" for each, the next job runs', async () => {
    await startAgent({}, 10_000);
    const to = { host: '127.0.0.1', port };
    await sendFrame(to, encodeJob({ ...job, id: 'long' }));
    await sendFrame(to, encodeJob({ ...job, id: 'queued' }));
    await scheduler.waitFor(1);
    await sendFrame(to, encodeJob({ id: 'queued', cancel: true }));
    await sendFrame(to, encodeJob({ id: 'long', cancel: true }));
    const statuses = await scheduler.waitFor(3);
    assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}:${s.reason}`), ['STARTED:long:', 'FAIL:queued:cancelled', 'FAIL:long:cancelled']);
    // Cancelled on purpose is no failure of the job's own: info, never ERROR.
    assert.ok(logLines.some((line) => line.includes('INFO  cancelled job long')), logLines.join(''));
    assert.ok(logLines.some((line) => line.includes('INFO  cancelled queued job queued')), logLines.join(''));
    assert.ok(!logLines.some((line) => line.includes('ERROR')), logLines.join(''));
  });

  it('reports progress of a job with an id, never of a legacy job', async () => {
    scheduler.keepProgress = true;
    await startAgent({}, 400);
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'p' }));
    const statuses = await scheduler.waitFor(3);
    assert.deepEqual(statuses.map((s) => s.type), ['STARTED', 'PROGRESS', 'SUCCESS']);
    assert.equal(statuses[1]?.stats?.tx_mbps, 5.5);
    assert.ok(statuses[1]!.elapsed_s > 0);
    // The measured interval goes with the PROGRESS and, kept, with the SUCCESS.
    assert.deepEqual(statuses[1]?.stats?.intervals?.map((i) => [i.index, i.tx_packets, i.duration_s]), [[0, 7, 1]]);
    assert.deepEqual(statuses[2]?.stats?.intervals?.map((i) => [i.index, i.tx_packets, i.tx_mbps]), [[0, 7, 5.5]]);
    scheduler.statuses.length = 0;
    await sendFrame({ host: '127.0.0.1', port }, encodeJob(job));
    await scheduler.waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(scheduler.types(), ['STARTED', 'SUCCESS']);
  });

  it('keeps retrying a status until a restarting scheduler is back', async () => {
    const schedulerPort = scheduler.port;
    await startAgent();
    await scheduler.close();
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, id: 'late' }));
    await new Promise((r) => setTimeout(r, 400));
    await scheduler.start(schedulerPort);
    assert.deepEqual((await scheduler.waitFor(2)).map((s) => s.type), ['STARTED', 'SUCCESS']);
  });
});
