import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { encodeJob, type Job } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { assertSaneRate, sinkRate } from '../helpers/rate.js';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

const base: Partial<Job> = { m: 0, t: 2, w: 0, n: 4, s_min: 1000, s_max: 0 };

describe('pktgen serve (built binary): --max-rate, --max-flows, --max-duration, --max-threads and reply_to', function () {
  this.timeout(60_000);
  let scheduler: FakeScheduler;
  let receiver: UdpReceiver;
  let serve: ReturnType<typeof spawnPktgen>;
  let port: number;
  let log: string;

  before(async () => {
    requireBinary();
    scheduler = new FakeScheduler();
    await scheduler.start();
    receiver = await startUdpReceiver();
    port = await freePort();
    serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--legacy-allow', '127.0.0.1/32', '--scheduler-port', String(scheduler.port),
      '--target', receiver.target, '--reflect-port', '0', '--max-rate', '10', '--max-flows', '8', '--max-duration', '3', '--max-threads', '2']);
    log = await waitForOutput(serve, /listening on/);
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

  it('says its cap in the start-up line', () => {
    assert.match(log, /max_rate=("?)10 Mbit\/s \(m = 0 runs at it\)/);
    assert.match(log, /max_threads=("?)2\b/);
  });

  it('runs 2 threads under the same --max-rate: each its own flows, together at most 10 Mbit/s', async () => {
    const before = receiver.packets.length;
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...base, threads: 2, id: 'two-threads' }));
    const [started, success] = await scheduler.waitFor(2, 30_000);
    assert.deepEqual([started?.type, success?.type], ['STARTED', 'SUCCESS'], success?.reason);
    await receiver.waitForQuiet(300);
    const packets = receiver.packets.slice(before);
    const sink = sinkRate(packets, 2);
    // Threads cannot walk around the cap: they share it (5 Mbit/s each).
    assert.ok(sink.overRunMbps <= 10 * 1.05, `over w + t: ${JSON.stringify(sink)}`);
    assertSaneRate(sink.overRunMbps, 10, 'sink Mbit/s');
    assert.equal(new Set(packets.map((p) => p.sourcePort)).size, 4, 'all 4 flows of both threads reached the sink');
    assert.equal(success!.stats!.threads, 2);
    assert.equal(success!.stats!.tx_packets, packets.length);
  });

  it('runs m = 0 paced at --max-rate 10: at most 10 Mbit/s at the sink, and SUCCESS says so', async () => {
    const before = receiver.packets.length;
    await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...base, id: 'as-fast-as-allowed' }));
    const [started, success] = await scheduler.waitFor(2, 30_000);
    assert.deepEqual([started?.type, success?.type], ['STARTED', 'SUCCESS'], success?.reason);
    await receiver.waitForQuiet(300);
    const sink = sinkRate(receiver.packets.slice(before), 2);
    // A guardrail bound, not an accuracy goal: never above the cap (5 % for counting at the sink);
    // no 100 ms window above the cap's 100 ms plus the pacer's 100 ms bucket and a frame.
    assert.ok(sink.overRunMbps <= 10 * 1.05, `over w + t: ${JSON.stringify(sink)}`);
    assert.ok(sink.overStampsMbps <= 10 * 1.05, `between send stamps: ${JSON.stringify(sink)}`);
    assert.ok(sink.maxWindowBytes <= 2 * 125_000 + 1000, `100 ms window: ${JSON.stringify(sink)}`);
    assertSaneRate(sink.overRunMbps, 10, 'sink Mbit/s');
    assert.equal(success!.stats!.requested_mbps, 10);
    assert.match(success!.stats!.fallback, /as fast as possible was paced at --max-rate 10 Mbit\/s/);
  });

  // [job, what the sink should see over w + t: Mbit/s of frame bytes, packets a second]
  const rates: Array<[string, Partial<Job>, number, number]> = [
    ['rate_bps 500000 (500k)', { rate_bps: 500_000 }, 0.5, 62.5],
    ['pps 1000 of 1000-byte frames', { pps: 1000 }, 8, 1000],
  ];
  for (const [i, [what, fields, mbps, pps]] of rates.entries()) {
    it(`sends ${what} at about that rate, measured at a UDP sink`, async () => {
      const before = receiver.packets.length;
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...base, ...fields, id: `rate-${i}` }));
      const [started, success] = await scheduler.waitFor(2, 30_000);
      assert.deepEqual([started?.type, success?.type], ['STARTED', 'SUCCESS'], success?.reason);
      await receiver.waitForQuiet(300);
      const packets = receiver.packets.slice(before);
      // The rate, not just "some traffic": a generous ratio, as timing on a shared machine varies.
      assertSaneRate(sinkRate(packets, 2).overRunMbps, mbps, 'sink Mbit/s');
      assertSaneRate(packets.length / 2, pps, 'sink packets/s');
      assertSaneRate(success!.stats!.requested_mbps, mbps, 'requested_mbps in SUCCESS');
      assert.equal(success!.stats!.fallback, '');
    });
  }

  const refused: Array<[string, Partial<Job>, string]> = [
    ['m = 11', { m: 11 }, 'm = 11: expected an integer rate 0..10 Mbit/s, this node\'s --max-rate (0 = as fast as allowed: 10 Mbit/s)'],
    ['rate_bps above the cap', { rate_bps: 10_000_001 }, 'rate_bps = 10000001: expected an integer rate 1..10000000 bit/s, this node\'s --max-rate'],
    ['pps whose largest frames go above the cap', { pps: 1000, s_min: 64, s_max: 1500 }, 'pps = 1000: expected at most 833 frames/s of 1500 bytes (10 Mbit/s, this node\'s --max-rate)'],
    ['n = 9', { n: 9 }, 'n = 9: expected an integer flow count 0..8, this node\'s --max-flows (0 = 1 flow)'],
    ['threads = 3', { threads: 3 }, 'threads = 3: expected an integer thread count 1..2, this node\'s --max-threads'],
    ['more threads than flows', { n: 1, threads: 2 }, 'threads = 2: expected at most 1 thread, one per flow ("n" = 1): each thread sends its own flows'],
    ['w + t = 4', { w: 2, t: 2 }, 'w + t = 4: expected at most 3 s of warm-up and measured time, this node\'s --max-duration'],
  ];
  for (const [i, [what, fields, reason]] of refused.entries()) {
    it(`refuses ${what}, naming the node's limit, and sends nothing`, async () => {
      const before = receiver.packets.length;
      // An id of its own: the node answers a job id it has seen with that job's status.
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...base, ...fields, id: `over-${i}` }));
      const [fail] = await scheduler.waitFor(1, 20_000);
      assert.deepEqual([fail?.type, fail?.reason], ['FAIL', reason]);
      assert.equal(receiver.packets.length, before);
    });
  }

  it('never connects to a reply_to on another host (127.0.0.2): FAIL goes to the source host instead', async () => {
    let connections = 0;
    const elsewhere: Server = createServer((socket) => { connections++; socket.destroy(); });
    elsewhere.listen(0, '127.0.0.2');
    await once(elsewhere, 'listening');
    try {
      const { port: otherPort } = elsewhere.address() as { port: number };
      const before = receiver.packets.length;
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...base, m: 1, t: 1, id: 'far', reply_to: `127.0.0.2:${otherPort}` }));
      const [fail] = await scheduler.waitFor(1, 20_000);
      assert.equal(fail?.type, 'FAIL');
      assert.equal(fail?.reason, `reply_to 127.0.0.2:${otherPort}: statuses go only to the job's source host 127.0.0.1 or to --legacy-allow (127.0.0.1/32)`);
      // Had the job run, its statuses would have gone out within its 1 s: wait past that.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(connections, 0);
      assert.equal(receiver.packets.length, before, 'the job did not run');
    } finally {
      elsewhere.close();
    }
  });
});
