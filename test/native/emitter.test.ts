import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  PKTGEN_MAGIC,
  sequenceStats,
  startUdpReceiver,
  type UdpReceiver,
} from '../helpers/udp-receiver.js';
import { assertSaneRate, sinkRate } from '../helpers/rate.js';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const emitterPath = path.join(nativeDir, 'build', 'pktgen-emit');

type JsonLine = Record<string, unknown>;

interface EmitterRun {
  exitCode: number | undefined;
  stderr: string;
  lines: JsonLine[];
  intervals: JsonLine[];
  summary: JsonLine | undefined;
}

const SUMMARY_KEYS = [
  'event', 'status', 'mode', 'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes', 'rx_measured',
  'loss_ratio', 'tx_mbps', 'tx_mbps_mean', 'tx_mbps_std', 'tx_mpps_mean', 'tx_mpps_std',
  'tx_wire_mbps_mean', 'rx_mbps_mean', 'rx_mpps_mean', 'requested_mbps', 'duration_s', 'stalls',
  'send_errors', 'warmup_tx_packets', 'warmup_tx_bytes', 'flows', 'size_min', 'size_max',
];

function parseRun(exitCode: number | undefined, stdout: string, stderr: string): EmitterRun {
  const lines = stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as JsonLine);
  const summaries = lines.filter((l) => l.event === 'summary');
  assert.ok(summaries.length <= 1, 'at most one summary line');
  return {
    exitCode,
    stderr,
    lines,
    intervals: lines.filter((l) => l.event === 'interval'),
    summary: summaries[0],
  };
}

/** Runs the emitter to completion; every run is bounded by its own timeout. */
async function runEmitter(args: string[], timeoutMs = 20_000): Promise<EmitterRun> {
  const r = await execa(emitterPath, args, { reject: false, timeout: timeoutMs });
  return parseRun(r.exitCode, r.stdout, r.stderr);
}

const num = (value: unknown): number => {
  assert.equal(typeof value, 'number');
  return value as number;
};

describe('pktgen-emit (native/build/pktgen-emit)', function () {
  let rx: UdpReceiver;

  before(async function () {
    this.timeout(120_000);
    // make rebuilds only when the binary is missing or older than a source.
    await execa('make', ['-C', nativeDir]);
  });

  beforeEach(async () => {
    rx = await startUdpReceiver();
  });

  afterEach(async () => {
    await rx.close();
  });

  it('prints its help and version with exit code 0', async () => {
    const help = await execa(emitterPath, ['--help']);
    assert.match(help.stdout, /--dst HOST:PORT/);
    assert.match(help.stdout, /--random-payload/);
    const version = await execa(emitterPath, ['--version']);
    assert.match(version.stdout, /^pktgen-emit \d+\.\d+\.\d+$/);
  });

  describe('rejects bad options before sending anything (exit 2, one line naming the option)', () => {
    const cases: Array<{ args: (dst: string) => string[]; message: RegExp }> = [
      { args: (dst) => ['--dst', dst, '--size', '20'], message: /^pktgen-emit: --size 20: .*64\.\.9000/ },
      { args: (dst) => ['--dst', dst, '--size', '9001'], message: /^pktgen-emit: --size 9001: / },
      { args: (dst) => ['--dst', dst, '--size', '800-200'], message: /^pktgen-emit: --size 800-200: / },
      { args: () => ['--rate', '10'], message: /^pktgen-emit: --dst: required/ },
      { args: (dst) => ['--dst', dst, '--flows', '0'], message: /^pktgen-emit: --flows 0: .*1\.\.1024/ },
      { args: (dst) => ['--dst', dst, '--duration', '0'], message: /^pktgen-emit: --duration 0: / },
      { args: (dst) => ['--dst', dst, '--rate', 'fast'], message: /^pktgen-emit: --rate fast: / },
      { args: (dst) => ['--dst', dst, '--latency', '--batch', '8'], message: /^pktgen-emit: --batch 8: / },
      { args: () => ['--dst', '[::1]:9', '--size', '64'], message: /^pktgen-emit: --size 64: over IPv6 .*84/ },
      { args: () => ['--dst', '::1:9'], message: /^pktgen-emit: --dst ::1:9: .*brackets/ },
      { args: (dst) => ['--dst', dst, '--rate', '11', '--max-rate', '10'], message: /^pktgen-emit: --rate 11: above --max-rate 10 Mbit\/s$/ },
      { args: (dst) => ['--dst', dst, '--max-rate', '0'], message: /^pktgen-emit: --max-rate 0: the ceiling must be > 0/ },
      { args: (dst) => ['--dst', dst, '--size', '64', '--sizes', '64:7,1518:1'], message: /^pktgen-emit: --sizes 64:7,1518:1: give --size or --sizes, not both$/ },
      { args: (dst) => ['--dst', dst, '--sizes', '64:0,1518:1'], message: /^pktgen-emit: --sizes 64:0,1518:1: a weight must be a whole number 1\.\.10000/ },
      { args: (dst) => ['--dst', dst, '--sizes', '64:7,9001:1'], message: /^pktgen-emit: --sizes 64:7,9001:1: a frame size is outside the accepted range \(sizes 64\.\.9000/ },
      { args: (dst) => ['--dst', dst, '--sizes', '64:1,64:2'], message: /^pktgen-emit: --sizes 64:1,64:2: a frame size is given twice/ },
      { args: (dst) => ['--dst', dst, '--sizes', '64:7,1518:1', '--pps', '1000', '--max-rate', '10'], message: /^pktgen-emit: --pps 1000: 1000 frames\/s of up to 1518 bytes are above --max-rate 10 Mbit\/s$/ },
    ];
    for (const { args, message } of cases) {
      it(`${args('DST').join(' ')}`, async () => {
        const run = await runEmitter(args(rx.target));
        assert.equal(run.exitCode, 2);
        assert.equal(run.lines.length, 0);
        assert.equal(run.stderr.split('\n').length, 1, run.stderr);
        assert.match(run.stderr, message);
        assert.equal(rx.packets.length, 0);
      });
    }
  });

  it('sends 4 flows of random sizes at 10 Mbit/s after a warm-up, without loss', async function () {
    this.timeout(30_000);
    const tag = 0xfeedbeef;
    const run = await runEmitter([
      '--dst', rx.target, '--rate', '10', '--duration', '2', '--warmup', '1', '--flows', '4',
      '--size', '200-800', '--random-payload', '--tag', String(tag),
    ]);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    const totals = rx.totals();

    assertSaneRate(totals.frameBytes, (10e6 * 3) / 8, 'receiver frame bytes over 3 s');
    assert.ok(rx.packets.every((p) => p.frameBytes >= 200 && p.frameBytes <= 800));
    assert.ok(totals.sizeMax! - totals.sizeMin! > 300, 'sizes spread over the range');
    assert.equal(totals.sourcePorts.size, 4);
    const perFlow = [...totals.packetsBySourcePort.values()];
    assert.ok(Math.max(...perFlow) - Math.min(...perFlow) <= 32, `flow shares ${perFlow.join(', ')}`);
    assert.ok(rx.packets.every((p) => p.header?.magic === PKTGEN_MAGIC && p.header.tag === tag));
    assert.deepEqual(sequenceStats(rx.packets), {
      unique: totals.packets, min: 0, max: totals.packets - 1, missing: 0, duplicates: 0,
    });

    const summary = run.summary!;
    for (const key of SUMMARY_KEYS) assert.ok(key in summary, `summary has ${key}`);
    assert.equal(summary.status, 'ok');
    assert.equal(summary.flows, 4);
    assertSaneRate(num(summary.tx_bytes), (10e6 * 2) / 8, 'measured tx_bytes');
    assert.equal(num(summary.tx_packets) + num(summary.warmup_tx_packets), totals.packets);
    assert.equal(num(summary.tx_bytes) + num(summary.warmup_tx_bytes), totals.frameBytes);
    assert.deepEqual(run.intervals.map((i) => i.phase), ['warmup', 'measure', 'measure']);
  });

  it('stops on SIGTERM, still prints the summary, and exits 5', async function () {
    this.timeout(30_000);
    const child = execa(emitterPath, ['--dst', rx.target, '--rate', '10', '--duration', '10'], {
      reject: false,
      timeout: 20_000,
    });
    // Signal once the first interval is out: the run is surely in its loop.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"interval"')) resolve();
      });
      void child.finally(resolve);
    });
    child.kill('SIGTERM');
    const result = await child;
    const run = parseRun(result.exitCode, String(result.stdout), String(result.stderr));
    await rx.waitForQuiet();

    assert.equal(run.exitCode, 5, run.stderr);
    assert.equal(run.summary?.status, 'interrupted');
    const duration = num(run.summary?.duration_s);
    assert.ok(duration > 0.9 && duration < 5, `duration_s ${duration}`);
    assert.equal(num(run.summary?.tx_packets), rx.packets.length);
  });

  it('paces "as fast as possible" at --max-rate: 4 flows with GSO stay under the ceiling at the sink', async function () {
    this.timeout(30_000);
    const run = await runEmitter(['--dst', rx.target, '--rate', '0', '--max-rate', '10', '--duration', '2', '--flows', '4', '--size', '1000']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    const summary = run.summary!;
    assert.deepEqual([summary.mode, summary.requested_mbps, summary.max_rate_mbps, summary.rate_capped], ['udp-gso', 10, 10, true]);
    const sink = sinkRate(rx.packets, 2);
    // A guardrail, not an accuracy goal: never above the cap (5 % for the sink's own counting),
    // and no 100 ms window above the cap's 100 ms plus the pacer's 100 ms bucket and a frame.
    assert.ok(sink.overRunMbps <= 10 * 1.05 && sink.overStampsMbps <= 10 * 1.05, JSON.stringify(sink));
    assert.ok(sink.maxWindowBytes <= 2 * 125_000 + 1000, JSON.stringify(sink));
    assertSaneRate(sink.overRunMbps, 10, 'sink Mbit/s');
  });

  it('sends 1000-byte frames at 100 Mbit/s, each once (the accuracy is in bench/emit-rate.ts)', async function () {
    this.timeout(30_000);
    const run = await runEmitter(['--dst', rx.target, '--rate', '100', '--size', '1000', '--duration', '1']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    const totals = rx.totals();
    const diagnosis = `stalls ${String(run.summary?.stalls)}, lost ${sequenceStats(rx.packets).missing}`;
    assertSaneRate((totals.frameBytes * 8) / 1e6, 100, `receiver Mbit/s over 1 s (${diagnosis})`);
    assert.ok(rx.packets.every((p) => p.frameBytes === 1000));
    assert.equal(sequenceStats(rx.packets).duplicates, 0);
  });

  it('--sizes 64:7,594:4,1518:1 at --pps 3000: the sink gets the three sizes interleaved in 7:4:1, paced at the mean frame, and the summary counts them', async function () {
    this.timeout(30_000);
    const run = await runEmitter(['--dst', rx.target, '--pps', '3000', '--sizes', '64:7,594:4,1518:1', '--duration', '1', '--flows', '2']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    const frames = rx.packets.map((p) => p.frameBytes);
    assertSaneRate(frames.length, 3000, 'frames at the sink over 1 s');
    // Sent in packet order: any 12 consecutive sequence numbers hold exactly 7, 4 and 1 (the order
    // repeats every 12 packets, so wherever a window starts).
    const bySeq = [...rx.packets].sort((a, b) => a.header!.seq - b.header!.seq);
    let windows = 0;
    for (let i = 0; i + 12 <= bySeq.length; i += 12) {
      if (bySeq[i + 11]!.header!.seq !== bySeq[i]!.header!.seq + 11) continue; // a datagram lost on the way
      windows++;
      const window = bySeq.slice(i, i + 12).map((p) => p.frameBytes);
      assert.deepEqual([64, 594, 1518].map((size) => window.filter((f) => f === size).length), [7, 4, 1], `frames ${i}..${i + 11}: ${window.join(' ')}`);
      // Interleaved: never more than two small frames in a row.
      assert.ok(!/(^|,)64,64,64(,|$)/.test(window.join(',')), window.join(' '));
    }
    assert.ok(windows >= frames.length / 24, `${windows} whole windows of 12 among ${frames.length} frames`);
    const sent = run.summary!.tx_sizes as Array<{ size: number; packets: number }>;
    assert.deepEqual(sent.map((s) => s.size), [64, 594, 1518]);
    assert.equal(sent.reduce((sum, s) => sum + s.packets, 0), num(run.summary!.tx_packets));
    assert.equal(sent.reduce((sum, s) => sum + s.size * s.packets, 0), num(run.summary!.tx_bytes), 'tx_bytes counts each frame at its own size');
    assert.deepEqual([run.summary!.size_min, run.summary!.size_max, run.summary!.gso_segments], [64, 1518, 1]);
  });

  it('--sizes with --threads 2: each thread sends the mix, and tx_sizes sums both', async function () {
    this.timeout(30_000);
    const run = await runEmitter(['--dst', rx.target, '--rate', '5', '--sizes', '64:7,594:4,1518:1', '--duration', '1', '--warmup', '0.2', '--threads', '2', '--flows', '2']);
    assert.equal(run.exitCode, 0, run.stderr);
    const sent = run.summary!.tx_sizes as Array<{ size: number; packets: number }>;
    assert.equal(run.summary!.threads, 2);
    assert.equal(sent.reduce((sum, s) => sum + s.packets, 0), num(run.summary!.tx_packets));
    assert.equal(sent.reduce((sum, s) => sum + s.size * s.packets, 0), num(run.summary!.tx_bytes));
    // Within one frame per size and thread of the weights.
    for (const [i, weight] of [7, 4, 1].entries()) assert.ok(Math.abs(sent[i]!.packets - (num(run.summary!.tx_packets) * weight) / 12) <= 2, JSON.stringify(sent));
  });

  it('sends over IPv6 with frame = payload + 66', async function () {
    this.timeout(20_000);
    const rx6 = await startUdpReceiver({ family: 6 });
    try {
      const run = await runEmitter(['--dst', rx6.target, '--rate', '20', '--duration', '1', '--size', '84-300']);
      await rx6.waitForQuiet();
      assert.equal(run.exitCode, 0, run.stderr);
      const totals = rx6.totals();
      assert.equal(totals.packets, num(run.summary?.tx_packets));
      assert.ok(totals.sizeMin! >= 84 && totals.sizeMax! <= 300);
      assert.equal(totals.frameBytes, num(run.summary?.tx_bytes));
    } finally {
      await rx6.close();
    }
  });

  it('stops after --max-packets, warm-up included', async () => {
    const run = await runEmitter(['--dst', rx.target, '--rate', '0', '--max-packets', '1000',
      '--warmup', '0.2', '--duration', '5']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(rx.packets.length, 1000);
    assert.equal(num(run.summary?.tx_packets) + num(run.summary?.warmup_tx_packets), 1000);
  });

  it('with --latency stamps every packet at its own send', async function () {
    this.timeout(20_000);
    const run = await runEmitter(['--dst', rx.target, '--latency', '--rate', '10', '--size', '1000',
      '--duration', '1', '--interval-ms', '250']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    const stamps = rx.packets.map((p) => p.header!.txNs);
    assert.equal(new Set(stamps).size, stamps.length, 'one timestamp per packet');
    // Same clock on both sides (CLOCK_MONOTONIC): a packet never arrives before it was stamped.
    assert.ok(rx.packets.every((p) => p.arrivalNs >= p.header!.txNs));
    assert.equal(run.intervals.length, 4);
  });

  it('keeps sending when nothing listens (ICMP port unreachable is counted, not fatal)', async function () {
    this.timeout(20_000);
    const closed = dgram.createSocket('udp4');
    closed.bind(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = closed.address().port;
    closed.close();
    const run = await runEmitter(['--dst', `127.0.0.1:${port}`, '--rate', '5', '--duration', '0.5']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.ok(num(run.summary?.tx_packets) > 0);
    assert.ok(num(run.summary?.send_errors) > 0);
  });
});
