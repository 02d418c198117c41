import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeAgent, type AgentOptions } from '../../src/agent/agent.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { DEFAULT_NODE_LIMITS } from '../../src/input/job.js';
import { encodeJob, type Job, type Stats } from '../../src/protocol/messages.js';
import type { ReceivedMessage } from '../../src/protocol/session-messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { createLogger } from '../../src/log.js';
import { openSession } from '../../src/session/handshake.js';
import { secretFromBytes } from '../../src/session/crypto.js';
import type { SessionChannel } from '../../src/session/channel.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';
import { until } from '../helpers/until.js';

const job: Partial<Job> = { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0 };
const KEY = secretFromBytes(randomBytes(32));
const FAST = { heartbeatMs: 100, silenceMs: 600 };

describe('agent: a job id runs once, however often it is delivered', () => {
  let scheduler: FakeScheduler;
  let agent: NodeAgent;
  let port: number;
  /** Job ids in the order their runs started. */
  let runs: string[];
  let tag: number;
  const logLines: string[] = [];
  const channels: SessionChannel[] = [];

  /** Runs take `ms` each (until aborted); each SUCCESS carries a distinct packet count. */
  async function startAgent(ms: number, overrides: Partial<AgentOptions> = {}): Promise<void> {
    agent = new NodeAgent({
      name: 'm0', listen: { host: '127.0.0.1', port: 0 }, schedulerPort: scheduler.port, defaultTarget: { host: '127.0.0.1', port: 9 },
      allowFrom: new Allowlist(LOOPBACK_CIDRS, '--allow-from'), allowTarget: new Allowlist(LOOPBACK_CIDRS, '--allow-target'),
      limits: DEFAULT_NODE_LIMITS, maxQueue: 10, statusRetryMs: 5000, graceMs: 1000, helperPath: async () => '/nonexistent',
      log: createLogger({ write: (line) => logLines.push(line), level: 'debug' }), sessionTiming: FAST,
      run: async (spec, _helper, signal) => {
        runs.push(`tag${spec.tag}`);
        await sleep(ms, undefined, { signal });
        return { tx_packets: 1000 + tag++, tx_bytes: 64_000, tx_mbps: spec.rateMbps } as Stats;
      },
      ...overrides,
    });
    port = (await agent.start()).port;
  }

  const send = (fields: Partial<Job>): Promise<unknown> =>
    sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, reply_to: `:${scheduler.port}`, ...fields }));
  const shown = (): string[] => scheduler.statuses.map((s) => `${s.type} ${s.job_id}${s.stats ? ` ${s.stats.tx_packets}` : ''}${s.reason ? `: ${s.reason}` : ''}`);

  /** A scheduler's side of a session: what the node sent on it, and a way to acknowledge statuses. */
  async function session(ack = true): Promise<{ channel: SessionChannel; received: ReceivedMessage[] }> {
    const channel = await openSession({ host: '127.0.0.1', port }, KEY, 'sched', 3000, FAST);
    channels.push(channel);
    const received: ReceivedMessage[] = [];
    channel.on('message', (message) => {
      received.push(message);
      if (ack && message.kind === 'status' && message.status.type !== 'PROGRESS') {
        channel.send({ kind: 'statusAck', jobId: message.status.job_id, type: message.status.type });
      }
    });
    channel.start();
    return { channel, received };
  }
  const seen = (received: ReceivedMessage[]): string[] => received.map((m) =>
    m.kind === 'status' ? `${m.status.type} ${m.status.job_id}${m.status.reason ? `: ${m.status.reason}` : ''}` : m.kind === 'accepted' ? `accepted ${m.jobId}` : m.kind);

  beforeEach(async () => {
    runs = [];
    tag = 0;
    logLines.length = 0;
    scheduler = new FakeScheduler();
    await scheduler.start();
  });
  afterEach(async () => {
    for (const channel of channels.splice(0)) channel.close('test over');
    await agent?.stop(300);
    await scheduler.close();
  });

  describe('on the legacy wire', () => {
    it('a job sent again while it runs is not run again: the second delivery gets STARTED again', async () => {
      await startAgent(400);
      await send({ id: 'a' });
      await scheduler.waitFor(1);
      await send({ id: 'a' });
      await scheduler.waitFor(3);
      assert.deepEqual(shown(), ['STARTED a', 'STARTED a', 'SUCCESS a 1000']);
      assert.deepEqual(runs.length, 1);
      assert.ok(logLines.some((l) => l.includes('INFO  job a received again: not run twice, STARTED sent again')), logLines.join(''));
    });

    it('a job sent again after it finished is not run again: it gets its SUCCESS again, same statistics', async () => {
      await startAgent(50);
      await send({ id: 'b' });
      await scheduler.waitFor(2);
      await send({ id: 'b' });
      await scheduler.waitFor(3);
      await sleep(200);
      assert.deepEqual(shown(), ['STARTED b', 'SUCCESS b 1000', 'SUCCESS b 1000']);
      assert.equal(runs.length, 1);
    });

    it('a job sent again while it waits behind another is not queued twice', async () => {
      await startAgent(300);
      await send({ id: 'first' });
      await send({ id: 'second' });
      await send({ id: 'second' });
      await scheduler.waitFor(4);
      await sleep(100);
      assert.deepEqual(shown(), ['STARTED first', 'SUCCESS first 1000', 'STARTED second', 'SUCCESS second 1001']);
      assert.equal(runs.length, 2);
    });

    it('a retry the user asked for (its own id, <id>.2) runs once the first run failed; each is answered again, not run again', async () => {
      await startAgent(50);
      await send({ id: 'r', target: '192.0.2.1:9' }); // refused: outside --allow-target
      await scheduler.waitFor(1);
      await send({ id: 'r.2' });
      await scheduler.waitFor(3);
      await send({ id: 'r.2' });
      await scheduler.waitFor(4);
      await send({ id: 'r' });
      await scheduler.waitFor(5);
      assert.deepEqual(shown().map((s) => s.replace(/: .*/, '')), ['FAIL r', 'STARTED r.2', 'SUCCESS r.2 1000', 'SUCCESS r.2 1000', 'FAIL r']);
      assert.equal(runs.length, 1);
      assert.ok(logLines.some((l) => l.includes('INFO  job r received again: not run twice, FAIL sent again')), logLines.join(''));
    });

    it('a legacy job (no id) runs every time it is sent, as with the old daemon', async () => {
      await startAgent(20);
      await send({});
      await scheduler.waitFor(2);
      await send({});
      await scheduler.waitFor(4);
      assert.equal(runs.length, 2);
    });
  });

  describe('over a session', () => {
    it('a job delivered twice is acknowledged twice and run once; the second delivery gets its final status again', async () => {
      await startAgent(100, { sessionSecret: KEY });
      const { channel, received } = await session();
      channel.send({ kind: 'job', job: { ...job, id: 's' } });
      await until('SUCCESS', () => seen(received).includes('SUCCESS s'));
      channel.send({ kind: 'job', job: { ...job, id: 's' } });
      await until('the repeat answered', () => seen(received).filter((m) => m === 'SUCCESS s').length === 2);
      assert.deepEqual(seen(received), ['accepted s', 'STARTED s', 'SUCCESS s', 'accepted s', 'SUCCESS s']);
      const successes = received.filter((m) => m.kind === 'status' && m.status.type === 'SUCCESS');
      assert.deepEqual(successes.map((m) => m.kind === 'status' && m.status.stats?.tx_packets), [1000, 1000]);
      assert.equal(runs.length, 1);
    });

    it('a job that came over a session, sent again on the legacy wire, gets its status at the reply address and does not run', async () => {
      await startAgent(50, { sessionSecret: KEY, legacyAllow: new Allowlist(['127.0.0.1/32'], '--legacy-allow') });
      const { channel, received } = await session();
      channel.send({ kind: 'job', job: { ...job, id: 'x' } });
      await until('SUCCESS', () => seen(received).includes('SUCCESS x'));
      await send({ id: 'x' });
      await scheduler.waitFor(1);
      assert.deepEqual(shown(), ['SUCCESS x 1000']);
      assert.equal(runs.length, 1);
    });

    it('on stop: FAIL "node shutting down" for the running and the queued job, acknowledged on the session before stop() ends; a job sent meanwhile is not taken', async () => {
      await startAgent(10_000, { sessionSecret: KEY });
      const { channel, received } = await session();
      channel.send({ kind: 'job', job: { ...job, id: 'running' } });
      channel.send({ kind: 'job', job: { ...job, id: 'queued' } });
      await until('STARTED', () => seen(received).includes('STARTED running'));
      const stopped = agent.stop(5000);
      channel.send({ kind: 'job', job: { ...job, id: 'late' } });
      await stopped;
      assert.deepEqual(seen(received).filter((m) => m.startsWith('FAIL')).sort(), ['FAIL queued: node shutting down', 'FAIL running: node shutting down']);
      assert.ok(!seen(received).includes('accepted late'), 'the late job is left to the scheduler');
      assert.ok(logLines.some((l) => l.includes('INFO  not taking job late: node shutting down')), logLines.join(''));
      assert.ok(logLines.some((l) => l.includes('INFO  stopped job running: node shutting down')), logLines.join(''));
      assert.ok(!logLines.some((l) => l.includes('ERROR') || l.includes('not acknowledged')), logLines.join(''));
      await until('the node closing the session once its statuses are acknowledged', () => !channel.open);
    });

    it('with a real scheduler, a retry the user asked for runs under its own id (<id>.2), and each run once', async () => {
      let failNext = true;
      await startAgent(50, {
        sessionSecret: KEY,
        run: async (spec) => {
          runs.push(`tag${spec.tag}`);
          if (failNext) {
            failNext = false;
            throw new Error('first run fails');
          }
          return { tx_packets: 7, tx_bytes: 448, tx_mbps: spec.rateMbps } as Stats;
        },
      });
      const schedLog: string[] = [];
      const service = new SchedulerService({
        listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), tickMs: 20, sessionSecret: KEY, name: 'sched', sessionTiming: FAST,
        log: createLogger({ write: (line) => schedLog.push(line) }),
      });
      await service.start();
      try {
        await service.addNodes([{ name: 'm0', host: '127.0.0.1', port }]);
        const [id] = service.addJobs([{ nodes: ['m0'], priority: 0, data: { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false }, target: '', timeoutS: 5, retries: 1 }]);
        await until('the retry succeeded', () => service.core.state.jobs.get(id!)?.state === 'succeeded', 10_000);
        assert.equal(runs.length, 2, 'run 1 failed, run 2 ran');
        assert.ok(logLines.some((l) => l.includes(`INFO  received job ${id}.2`)), logLines.join(''));
        assert.ok(!logLines.some((l) => l.includes('received again')), logLines.join(''));
      } finally {
        await service.stop();
      }
    });

    it('on stop, a scheduler that never acknowledges holds it up only for the grace time, and the log says so', async () => {
      await startAgent(10_000, { sessionSecret: KEY });
      const { channel, received } = await session(false);
      channel.send({ kind: 'job', job: { ...job, id: 'running' } });
      await until('STARTED', () => seen(received).includes('STARTED running'));
      const started = Date.now();
      await agent.stop(300);
      assert.ok(Date.now() - started < 5000, 'bounded');
      assert.ok(seen(received).includes('FAIL running: node shutting down'));
      assert.ok(logLines.some((l) => /WARN .*stopping with 2 status\(es\) the scheduler has not acknowledged/.test(l)), logLines.join(''));
    });
  });
});
