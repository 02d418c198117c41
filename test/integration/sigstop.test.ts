import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { until } from '../helpers/until.js';

/** How long the node is stopped: three times the session's silence window, short of the job's timeout. */
const STOP_MS = 10_000;

type Child = ReturnType<typeof spawnPktgen>;

/** A real scheduler driving a real node over a session, their logs, and the node's traffic sink. */
interface Pair {
  serve: Child;
  schedule: Child;
  receiver: UdpReceiver;
  control: string[];
  serveLog: () => string;
  scheduleLog: () => string;
}

/** Everything a child printed so far, stdout and stderr. */
function collect(child: Child): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

const count = (text: string, pattern: RegExp): number => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

// The SIGSTOP case, shortened: a node that cannot answer for 10 s must not have a job counted
// as delivered (it never said 'accepted'), must not be sent it into a lost state, and after SIGCONT
// runs it once; the job ends once.
describe('a node stopped with SIGSTOP for 10 s (built binaries, one session)', function () {
  this.timeout(120_000);
  let dir: string;
  const children: Child[] = [];
  const receivers: UdpReceiver[] = [];

  before(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-sigstop-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      let exited = false;
      void child.then(() => (exited = true));
      // A stopped process would never act on SIGTERM: continue it first.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await Promise.race([child, sleep(10_000)]);
      if (!exited) child.kill('SIGKILL');
      await child;
    }
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function startPair(name: string): Promise<Pair> {
    const receiver = await startUdpReceiver();
    receivers.push(receiver);
    const nodePort = await freePort();
    const controlPort = await freePort();
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(nodePort), '--reflect-port', '0', '--target', receiver.target]);
    children.push(serve);
    const serveLog = collect(serve);
    await waitForOutput(serve, /listening on/);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }] }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, `${name}.json`), '--host', '127.0.0.1', '--port', String(await freePort()),
      '--control-port', String(controlPort), '--state-dir', join(dir, `state-${name}`)]);
    children.push(schedule);
    const scheduleLog = collect(schedule);
    await waitForOutput(schedule, /session with node m0 at 127\.0\.0\.1:\d+ open/);
    return { serve, schedule, receiver, control: ['--scheduler', `127.0.0.1:${controlPort}`], serveLog, scheduleLog };
  }

  async function submit(pair: Pair, durationS: number): Promise<string> {
    const result = await execa(PKTGEN, ['submit', '--node', 'm0', '--rate', '1', '--duration', String(durationS), '--size', '200', ...pair.control], { reject: false, env: pktgenEnv() });
    assert.equal(result.exitCode, 0, result.all ?? result.stderr);
    return result.stdout.trim();
  }

  async function job(pair: Pair, id: string): Promise<{ state: string; attempts: number; late?: unknown }> {
    const result = await execa(PKTGEN, ['status', id, '--json', ...pair.control], { reject: false, env: pktgenEnv() });
    assert.equal(result.exitCode, 0, result.stderr);
    return JSON.parse(result.stdout) as { state: string; attempts: number; late?: unknown };
  }

  async function waitForState(pair: Pair, id: string, done: (state: string) => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done((await job(pair, id)).state)) {
      if (Date.now() > deadline) throw new Error(`job ${id} not ${what} within ${timeoutMs} ms:\n${pair.scheduleLog()}`);
      await sleep(200);
    }
  }

  /** Stops the node for STOP_MS; it is continued whatever happens meanwhile. */
  async function stopped(pair: Pair, during: () => Promise<void> = async () => undefined): Promise<void> {
    assert.ok(pair.serve.kill('SIGSTOP'));
    try {
      const until = Date.now() + STOP_MS;
      await during();
      await sleep(Math.max(0, until - Date.now()));
    } finally {
      pair.serve.kill('SIGCONT');
    }
  }

  /** The job ran exactly once and ended exactly once, succeeded. */
  async function assertOnce(pair: Pair, id: string): Promise<void> {
    const final = await job(pair, id);
    assert.equal(final.state, 'succeeded', pair.scheduleLog());
    assert.equal(final.attempts, 1);
    assert.equal(final.late, undefined);
    assert.equal(count(pair.scheduleLog(), new RegExp(`completed job ${id}\\.`)), 1, pair.scheduleLog());
    assert.equal(count(pair.scheduleLog(), new RegExp(`job ${id} .*(lost|never started)`)), 0, pair.scheduleLog());
    assert.equal(count(pair.serveLog(), new RegExp(`started job ${id}\\b`)), 1, pair.serveLog());
    // On the wire: each run stamps its packets with a tag of its own.
    await pair.receiver.waitForQuiet(300);
    const tags = new Set(pair.receiver.packets.map((packet) => packet.header?.tag));
    assert.equal(tags.size, 1, `packets of ${tags.size} runs`);
  }

  it('stopped while it runs the job: the node is marked down, and the job still ends once, having run once', async () => {
    const pair = await startPair('running');
    const id = await submit(pair, 6);
    await waitForState(pair, id, (state) => state === 'running', 'running', 15_000);
    await stopped(pair, () => until('the node marked down', () => /node m0 .* is down/.test(pair.scheduleLog()), STOP_MS - 1000));
    await waitForState(pair, id, (state) => state !== 'running' && state !== 'sent', 'finished', 60_000);
    await assertOnce(pair, id);
  });

  it('stopped before its job comes: the job is not counted as delivered, and runs once after SIGCONT', async () => {
    const pair = await startPair('idle');
    let id = '';
    await stopped(pair, async () => {
      id = await submit(pair, 2);
      // The session goes silent within 3 s and the node stays unreachable: the job waits, undelivered.
      await until('the node marked down', () => /node m0 .* is down/.test(pair.scheduleLog()), 8000);
      await sleep(3000);
      const { state } = await job(pair, id);
      assert.ok(state === 'pending' || state === 'sent', `job ${state} while its node is stopped`);
      assert.equal(count(pair.scheduleLog(), new RegExp(`sent job ${id} to node m0`)), 0, 'no acknowledgement, so not delivered');
    });
    await waitForState(pair, id, (state) => state !== 'pending' && state !== 'sent' && state !== 'running', 'finished', 60_000);
    await assertOnce(pair, id);
  });
});
