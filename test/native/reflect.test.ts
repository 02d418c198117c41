import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { PKTGEN_MAGIC, sequenceStats, startUdpReceiver } from '../helpers/udp-receiver.js';
import { assertSaneRate } from '../helpers/rate.js';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const emitterPath = path.join(nativeDir, 'build', 'pktgen-emit');
const ECHO_MAGIC = 0x5065;

type JsonLine = Record<string, unknown>;

interface RunningReflector {
  port: number;
  child: ResultPromise;
  /** Stops it (SIGTERM) and returns its summary line. */
  stop(): Promise<JsonLine>;
}

/** Starts `pktgen-emit reflect` on loopback port 0; every run is bounded by a timeout. */
async function startReflector(args: string[] = [], bind = '127.0.0.1:0'): Promise<RunningReflector> {
  const child = execa(emitterPath, ['reflect', '--bind', bind, ...args], { reject: false, timeout: 60_000 });
  const listening = await new Promise<JsonLine>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve(JSON.parse(line) as JsonLine);
    });
    void child.then((r) => reject(new Error(`reflector exited ${r.exitCode}: ${String(r.stderr)}`)));
  });
  return {
    port: listening.port as number,
    child,
    async stop() {
      child.kill('SIGTERM');
      const result = await child;
      assert.equal(result.exitCode, 0, String(result.stderr));
      const lines = String(result.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine);
      return lines.find((l) => l.event === 'summary')!;
    },
  };
}

async function send(args: string[]): Promise<{ exitCode: number | undefined; stderr: string; summary: JsonLine }> {
  const r = await execa(emitterPath, ['send', ...args], { reject: false, timeout: 30_000 });
  const lines = String(r.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine);
  return { exitCode: r.exitCode, stderr: String(r.stderr), summary: lines.find((l) => l.event === 'summary')! };
}

function testHeader(magic: number, seq: number, extra = 0): Buffer {
  const b = Buffer.alloc(18 + extra, 0x61);
  b.writeUInt16BE(magic, 0);
  b.writeUInt32BE(7, 2);
  b.writeUInt32BE(seq, 6);
  b.writeBigUInt64BE(123456789n, 10);
  return b;
}

describe('pktgen-emit reflect, and send measuring through it', function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(120_000);
    await execa('make', ['-C', nativeDir]);
  });

  it('says where it listens, echoes test packets with the echo magic, drops the rest', async () => {
    const reflector = await startReflector();
    assert.ok(reflector.port > 0);
    const socket = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    try {
      const valid = testHeader(PKTGEN_MAGIC, 42, 100);
      for (const packet of [valid, Buffer.from('hello'), testHeader(0x1234, 1), testHeader(ECHO_MAGIC, 2)]) {
        socket.send(packet, reflector.port, '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(replies.length, 1, 'exactly the one valid test packet comes back');
      assert.equal(replies[0]!.readUInt16BE(0), ECHO_MAGIC);
      assert.deepEqual(replies[0]!.subarray(2), valid.subarray(2), 'the rest of the packet is unchanged');
    } finally {
      socket.close();
    }
    const summary = await reflector.stop();
    assert.equal(summary.received, 4);
    assert.equal(summary.echoed, 1);
    assert.equal(summary.invalid, 3);
  });

  it('refuses to echo to senders outside --allow', async () => {
    const reflector = await startReflector(['--allow', '10.0.0.0/8,192.0.2.1']);
    const run = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '1', '--duration', '0.3', '--size', '100']);
    const summary = await reflector.stop();
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(summary.echoed, 0);
    assert.equal(summary.not_allowed, run.summary.tx_packets);
    assert.equal(run.summary.rx_measured, false);
  });

  it('rejects bad options with exit 2 and one line', async () => {
    for (const args of [['reflect'], ['reflect', '--bind', '127.0.0.1:0', '--allow', '10.0.0.0/40'], ['reflect', '--bind', 'nowhere']]) {
      const r = await execa(emitterPath, args, { reject: false, timeout: 10_000 });
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(String(r.stderr).split('\n').length, 1);
      assert.match(String(r.stderr), /^pktgen-emit: --(bind|allow)/);
    }
  });

  it('lets send measure rx, loss and RTT percentiles of the measured window only', async () => {
    const reflector = await startReflector();
    const run = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '4', '--warmup', '1', '--duration', '2',
      '--size', '200-800', '--flows', '3', '--latency']);
    const reflected = await reflector.stop();
    assert.equal(run.exitCode, 0, run.stderr);
    const s = run.summary;
    const tx = s.tx_packets as number;
    assert.equal(s.rx_measured, true);
    assert.ok((s.rx_packets as number) >= tx * 0.99, `rx ${String(s.rx_packets)} of tx ${tx}`);
    assert.ok((s.loss_ratio as number) <= 0.01);
    assert.equal(s.duplicates, 0);
    // Warm-up echoes come back too, but only the measured window's count.
    assert.ok((s.warmup_rx_packets as number) > 0);
    assert.equal(reflected.echoed, tx + (s.warmup_tx_packets as number));
    const rtt = s.rtt_us as Record<string, number>;
    const order = ['min', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'].map((k) => rtt[k]!);
    assert.deepEqual([...order].sort((a, b) => a - b), order, `percentiles in order: ${JSON.stringify(rtt)}`);
    assert.ok(rtt.min! > 0);
    assert.equal(rtt.samples, s.rx_packets);
    assertSaneRate(s.rx_mbps_mean as number, 4, 'rx_mbps_mean');
  });

  it('with --drop-every K reports a loss ratio of 1/K', async () => {
    const reflector = await startReflector(['--drop-every', '10']);
    const run = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '10', '--duration', '1', '--size', '500', '--latency']);
    await reflector.stop();
    assert.equal(run.exitCode, 0, run.stderr);
    const loss = run.summary.loss_ratio as number;
    assert.ok(Math.abs(loss - 0.1) <= 0.01, `loss_ratio ${loss}, expected 0.1 +- 10 %`);
  });

  it('works over IPv6', async () => {
    const reflector = await startReflector([], '[::1]:0');
    const run = await send(['--dst', `[::1]:${reflector.port}`, '--rate', '2', '--duration', '0.5', '--size', '300']);
    await reflector.stop();
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.summary.rx_measured, true);
    assert.equal(run.summary.rx_packets, run.summary.tx_packets);
  });

  it('without a reflector reports rx as not measured, never as zero loss', async () => {
    const rx = await startUdpReceiver();
    try {
      const run = await send(['--dst', rx.target, '--rate', '2', '--duration', '0.5', '--size', '300', '--latency']);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.summary.rx_measured, false);
      assert.equal(run.summary.loss_ratio, null);
      assert.equal(run.summary.rx_mbps_mean, null);
      assert.equal(run.summary.rtt_us, undefined);
    } finally {
      await rx.close();
    }
  });

  it('uses UDP GSO for one frame size, each segment with its own header; --no-gso turns it off', async () => {
    const rx = await startUdpReceiver();
    try {
      const gso = await send(['--dst', rx.target, '--rate', '0', '--max-packets', '3000', '--size', '64', '--duration', '5']);
      await rx.waitForQuiet();
      assert.equal(gso.exitCode, 0, gso.stderr);
      assert.equal(gso.summary.mode, 'udp-gso');
      assert.ok((gso.summary.gso_segments as number) > 1);
      const seqs = sequenceStats(rx.packets);
      assert.equal(rx.packets.length, 3000);
      assert.deepEqual(seqs, { unique: 3000, min: 0, max: 2999, missing: 0, duplicates: 0 });
      assert.ok(rx.packets.every((p) => p.frameBytes === 64));

      const plain = await send(['--dst', rx.target, '--rate', '1', '--duration', '0.2', '--size', '64', '--no-gso']);
      assert.equal(plain.summary.mode, 'udp');
      const ranged = await send(['--dst', rx.target, '--rate', '1', '--duration', '0.2', '--size', '64-128']);
      assert.equal(ranged.summary.mode, 'udp', 'sizes vary: no GSO');
    } finally {
      await rx.close();
    }
  });
});
