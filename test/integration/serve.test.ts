import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { encodeJob } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { assertSaneRate } from '../helpers/rate.js';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

const legacyJob = { m: 10, t: 2, w: 1, n: 4, s_min: 200, s_max: 800, r: true };

describe('pktgen serve (built binary) against a legacy scheduler', function () {
  this.timeout(60_000);
  let scheduler: FakeScheduler;
  let receiver: UdpReceiver;
  let serve: ReturnType<typeof spawnPktgen>;
  let port: number;

  before(async () => {
    requireBinary();
    scheduler = new FakeScheduler();
    await scheduler.start();
    receiver = await startUdpReceiver();
    port = await freePort();
    serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--legacy-allow', '127.0.0.1/32', '--scheduler-port', String(scheduler.port), '--target', receiver.target,
      '--reflect-port', '0']); // 1730 may be another test's: a port in use is a start-up error
    await waitForOutput(serve, /listening on/);
  });
  after(async () => {
    serve.kill('SIGTERM');
    const result = await serve;
    await receiver.close();
    await scheduler.close();
    assert.equal(result.exitCode, 0, result.all);
  });
  beforeEach(() => {
    scheduler.statuses.length = 0;
  });

  it('runs no legacy frame from outside --legacy-allow: no STARTED, nothing sent, the refusal logged', async () => {
    const closedPort = await freePort();
    // 127.0.0.1 is outside 127.0.0.2/32: this node takes legacy frames only from there.
    const closed = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(closedPort), '--legacy-allow', '127.0.0.2/32',
      '--scheduler-port', String(scheduler.port), '--target', receiver.target, '--reflect-port', '0']);
    try {
      await waitForOutput(closed, /listening on/);
      const before = receiver.packets.length;
      const refused = waitForOutput(closed, /refused a legacy frame from 127\.0\.0\.1: not in --legacy-allow/);
      await sendFrame({ host: '127.0.0.1', port: closedPort }, encodeJob({ ...legacyJob, t: 1, w: 0 }));
      await refused;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.deepEqual(scheduler.statuses, []);
      assert.equal(receiver.packets.length, before);
    } finally {
      closed.kill('SIGTERM');
      await closed;
    }
  });

  it('runs a legacy job: STARTED then SUCCESS, 10 Mbit/s for w + t seconds, sizes in range, exactly 4 flows', async () => {
    await sendFrame({ host: '127.0.0.1', port }, encodeJob(legacyJob));
    const statuses = await scheduler.waitFor(2, 30_000);
    assert.deepEqual(statuses.map((s) => s.raw), ['0803', '0801']);
    await receiver.waitForQuiet(300);
    const totals = receiver.totals();
    assertSaneRate(totals.frameBytes, (10e6 * 3) / 8, 'receiver frame bytes over 3 s');
    assert.ok(totals.sizeMin! >= 200 && totals.sizeMax! <= 800, `sizes ${totals.sizeMin}..${totals.sizeMax}`);
    assert.equal(totals.sourcePorts.size, 4);
  });

  it('answers FAIL for invalid fields and a refused target, and runs the next job', async () => {
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...legacyJob, s_min: 900, s_max: 800, id: 'bad-size' }));
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...legacyJob, t: 1, w: 0, id: 'refused', target: '192.0.2.1:9' }));
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...legacyJob, t: 1, w: 0, id: 'ok' }));
    const statuses = await scheduler.waitFor(4, 30_000);
    assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}`), ['FAIL:bad-size', 'FAIL:refused', 'STARTED:ok', 'SUCCESS:ok']);
    assert.match(statuses[0]!.reason, /^s_max = 800: expected 0 \(= s_min\) or an integer frame size 900\.\.9000$/);
    assert.match(statuses[1]!.reason, /not in --allow-target/);
    assert.ok(statuses[3]!.stats!.tx_packets > 0);
  });

  it('survives garbage, oversized and split frames', async () => {
    const garbage = connect(port, '127.0.0.1');
    garbage.end(Buffer.from('00000004ffffffff', 'hex'));
    await once(garbage, 'close');
    const oversized = connect(port, '127.0.0.1');
    oversized.on('error', () => undefined);
    oversized.write(Buffer.from('7fffffff', 'hex'));
    await once(oversized, 'close');
    const frame = Buffer.concat([Buffer.alloc(4), Buffer.from(encodeJob({ ...legacyJob, t: 1, w: 0, id: 'split' }))]);
    frame.writeUInt32BE(frame.length - 4, 0);
    const split = connect(port, '127.0.0.1');
    await once(split, 'connect');
    for (const byte of frame) {
      split.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 1));
    }
    split.end();
    const statuses = await scheduler.waitFor(2, 30_000);
    assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}`), ['STARTED:split', 'SUCCESS:split']);
  });

  it('runs two jobs sent back to back one after the other', async () => {
    const before = receiver.packets.length;
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...legacyJob, t: 1, w: 0, n: 1, id: 'first' }));
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...legacyJob, t: 1, w: 0, n: 1, id: 'second' }));
    const statuses = await scheduler.waitFor(4, 30_000);
    assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}`), ['STARTED:first', 'SUCCESS:first', 'STARTED:second', 'SUCCESS:second']);
    await receiver.waitForQuiet(300);
    // The two runs carry different tags: every packet of the first must arrive before any of the second.
    const tags = receiver.packets.slice(before).map((p) => p.header!.tag);
    const firstTag = tags[0];
    const switchAt = tags.findIndex((t) => t !== firstTag);
    assert.ok(switchAt > 0, 'second job sent no packets');
    assert.ok(tags.slice(switchAt).every((t) => t !== firstTag), 'the two jobs overlapped');
  });
});
