import assert from 'node:assert/strict';
import { encodeJob, type Rtt, type Stats } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { assertSaneRate } from '../helpers/rate.js';

/** A UDP port that was free a moment ago on 127.0.0.1. */
type Serve = ReturnType<typeof spawnPktgen>;

async function startServe(schedulerPort: number, reflectPort: number, extra: string[] = []): Promise<{ serve: Serve; port: number }> {
  const port = await freePort();
  const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--legacy-allow', '127.0.0.1/32', '--scheduler-port', String(schedulerPort),
    '--reflect-port', String(reflectPort), ...extra]);
  // serve starts its reflector before it says it listens: the log tells where both are.
  const log = await waitForOutput(serve, /pktgen node .* listening on/);
  assert.match(log, new RegExp(`reflector listening on 127\\.0\\.0\\.1:${reflectPort}`));
  return { serve, port };
}

async function stopServe(serve: Serve): Promise<void> {
  serve.kill('SIGTERM');
  const result = await serve;
  assert.equal(result.exitCode, 0, result.all);
  assert.match(String(result.all), /reflector stopped/);
}

const RTT_ORDER: Array<keyof Rtt> = ['min', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'];

describe('measured traffic through reflectors (built binary: pktgen serve runs a reflector)', function () {
  this.timeout(90_000);
  let scheduler: FakeScheduler;
  let nodeA: { serve: Serve; port: number };
  let nodeB: { serve: Serve; port: number };
  let reflectA: number;
  let reflectB: number;

  before(async () => {
    requireBinary();
    scheduler = new FakeScheduler();
    await scheduler.start();
    reflectA = await freePort();
    reflectB = await freePort();
    nodeA = await startServe(scheduler.port, reflectA);
    // Node B's reflector is told (hidden test flag) to drop one test packet in 20.
    nodeB = await startServe(scheduler.port, reflectB, ['--reflect-drop-every', '20']);
  });
  after(async () => {
    await Promise.all([nodeA && stopServe(nodeA.serve), nodeB && stopServe(nodeB.serve)]);
    await scheduler?.close();
  });
  beforeEach(() => {
    scheduler.statuses.length = 0;
  });

  async function runJob(id: string, target: string): Promise<Stats> {
    await sendFrame({ host: '127.0.0.1', port: nodeA.port },
      encodeJob({ id, m: 4, t: 2, w: 1, n: 2, s_min: 200, s_max: 600, l: true, target }));
    const statuses = await scheduler.waitFor(2, 30_000);
    assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}`), [`STARTED:${id}`, `SUCCESS:${id}`], statuses[1]?.reason);
    return statuses[1]!.stats!;
  }

  it('a job with l against a reflector: rx close to tx, RTT percentiles in order, a sample per echo', async () => {
    const stats = await runJob('rtt', `127.0.0.1:${reflectA}`);
    assert.equal(stats.rx_measured, true);
    assert.ok(stats.tx_packets > 1000, `tx_packets ${stats.tx_packets}`);
    assert.ok(stats.rx_packets >= stats.tx_packets * 0.99 && stats.rx_packets <= stats.tx_packets, `rx ${stats.rx_packets} of tx ${stats.tx_packets}`);
    assert.ok(stats.loss_ratio <= 0.01, `loss_ratio ${stats.loss_ratio}`);
    const rtt = stats.rtt_us!;
    assert.ok(rtt, 'rtt_us is present');
    const values = RTT_ORDER.map((k) => rtt[k]);
    assert.deepEqual([...values].sort((a, b) => a - b), values, `RTT in order: ${JSON.stringify(rtt)}`);
    assert.ok(rtt.min > 0 && rtt.min <= rtt.p50 && rtt.p50 <= rtt.p99 && rtt.p99 <= rtt.max);
    assert.equal(rtt.samples, stats.rx_packets);
    assert.ok(rtt.samples >= stats.tx_packets * 0.99, `samples ${rtt.samples} of ${stats.tx_packets}`);
    assertSaneRate(stats.rx_mbps_mean, 4, 'rx_mbps_mean');
    assert.equal(stats.mode, 'udp');
  });

  it("another node's reflector dropping one packet in K: loss_ratio within 10 % of 1/K", async () => {
    const stats = await runJob('lossy', `127.0.0.1:${reflectB}`);
    assert.equal(stats.rx_measured, true);
    const expected = 1 / 20;
    assert.ok(Math.abs(stats.loss_ratio - expected) <= expected * 0.1, `loss_ratio ${stats.loss_ratio}, expected ${expected} +- 10 %`);
    assert.ok(stats.rtt_us && stats.rtt_us.samples >= stats.tx_packets * (1 - expected) * 0.99);
  });

  it('without a reflector at the target, rx is reported as not measured', async () => {
    const sink = await freePort();
    const stats = await runJob('no-reflector', `127.0.0.1:${sink}`);
    assert.equal(stats.rx_measured, false);
    assert.equal(stats.rx_packets, 0);
    assert.equal(stats.rtt_us, undefined);
  });
});
