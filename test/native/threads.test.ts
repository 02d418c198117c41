import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { sequenceStats, startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { assertSaneRate } from '../helpers/rate.js';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const emitterPath = path.join(nativeDir, 'build', 'pktgen-emit');

type JsonLine = Record<string, unknown>;

interface Run {
  exitCode: number | undefined;
  stderr: string;
  intervals: JsonLine[];
  summary: JsonLine | undefined;
}

/** Runs `pktgen-emit send` to completion, bounded by a timeout; a shell prefix sets limits. */
async function send(args: string[], shellPrefix = ''): Promise<Run> {
  const r = shellPrefix
    ? await execa('sh', ['-c', `${shellPrefix}; exec "$0" "$@"`, emitterPath, 'send', ...args], { reject: false, timeout: 30_000 })
    : await execa(emitterPath, ['send', ...args], { reject: false, timeout: 30_000 });
  const lines = String(r.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine);
  return {
    exitCode: r.exitCode,
    stderr: String(r.stderr),
    intervals: lines.filter((l) => l.event === 'interval'),
    summary: lines.find((l) => l.event === 'summary'),
  };
}

const num = (value: unknown): number => {
  assert.equal(typeof value, 'number');
  return value as number;
};
const sum = (lines: JsonLine[], key: string): number => lines.reduce((s, l) => s + num(l[key]), 0);

describe('pktgen-emit send --threads', function () {
  let rx: UdpReceiver;

  before(async function () {
    this.timeout(120_000);
    await execa('make', ['-C', nativeDir]);
  });

  beforeEach(async () => {
    rx = await startUdpReceiver();
  });

  afterEach(async () => {
    await rx.close();
  });

  it('2 threads send the requested total rate, each its own flows, with one merged report', async function () {
    this.timeout(30_000);
    const run = await send(['--dst', rx.target, '--threads', '2', '--flows', '4', '--rate', '20', '--size', '500',
      '--warmup', '0.5', '--duration', '2', '--interval-ms', '500']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    const totals = rx.totals();

    assertSaneRate((totals.frameBytes * 8) / 2.5 / 1e6, 20, 'sink Mbit/s over warm-up + duration');
    // Every thread's flows reach the sink, and each thread carries about half the traffic.
    assert.equal(totals.sourcePorts.size, 4);
    const perFlow = [...totals.packetsBySourcePort.values()];
    for (const n of perFlow) assertSaneRate(n, totals.packets / 4, 'packets of one flow');
    // A thread numbers its own packets 0..n-1: each seq arrives once per thread, no gaps.
    const perSeq = new Map<number, number>();
    for (const p of rx.packets) perSeq.set(p.header!.seq, (perSeq.get(p.header!.seq) ?? 0) + 1);
    assert.ok([...perSeq.values()].every((n) => n <= 2), 'a seq at most once per thread');
    const stats = sequenceStats(rx.packets);
    assert.deepEqual([stats.min, stats.missing], [0, 0]);
    assertSaneRate(stats.unique, totals.packets / 2, 'packets of one thread');

    const s = run.summary!;
    assert.deepEqual([s.status, s.threads, s.flows, s.requested_mbps], ['ok', 2, 4, 20]);
    assert.equal(num(s.tx_packets) + num(s.warmup_tx_packets), totals.packets);
    assert.equal(num(s.tx_bytes) + num(s.warmup_tx_bytes), totals.frameBytes);
    // One line per interval for the whole run, the threads' counts summed.
    assert.deepEqual(run.intervals.map((i) => i.phase), ['warmup', 'measure', 'measure', 'measure', 'measure']);
    assert.equal(sum(run.intervals, 'tx_packets'), totals.packets);
    assert.equal(sum(run.intervals.filter((i) => i.phase === 'measure'), 'tx_bytes'), num(s.tx_bytes));
    assert.deepEqual(run.intervals.map((i) => i.t), [0.5, 1, 1.5, 2, 2.5]);
  });

  it('merges the echoes of both threads through a reflector: rx, loss and RTT of every packet', async function () {
    this.timeout(30_000);
    const reflector = execa(emitterPath, ['reflect', '--bind', '127.0.0.1:0'], { reject: false, timeout: 30_000 });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        reflector.stdout.on('data', (chunk: Buffer) => {
          const line = chunk.toString().split('\n').find((l) => l.includes('"listening"'));
          if (line) resolve((JSON.parse(line) as { port: number }).port);
        });
        void reflector.then((r) => reject(new Error(`reflector exited ${r.exitCode}: ${String(r.stderr)}`)));
      });
      const run = await send(['--dst', `127.0.0.1:${port}`, '--threads', '2', '--flows', '2', '--rate', '2',
        '--size', '200', '--duration', '1', '--latency']);
      assert.equal(run.exitCode, 0, run.stderr);
      const s = run.summary!;
      assert.equal(s.threads, 2);
      assertSaneRate(num(s.tx_mbps), 2, 'tx Mbit/s');
      // At 2 Mbit/s on loopback (nearly) every echo comes back: a merge that dropped a thread would show
      // half. A loaded machine may drop a few at the reflector's socket, so count them, not demand none.
      assert.ok(num(s.rx_packets) >= 0.98 * num(s.tx_packets), `rx ${s.rx_packets} of tx ${s.tx_packets}`);
      assert.ok(Math.abs(num(s.loss_ratio) - (1 - num(s.rx_packets) / num(s.tx_packets))) < 1e-6, `loss_ratio ${s.loss_ratio}`);
      const rtt = s.rtt_us as JsonLine;
      assert.equal(rtt.samples, s.rx_packets);
      assert.ok(num(rtt.min) > 0 && num(rtt.min) <= num(rtt.p50) && num(rtt.p50) <= num(rtt.max));
      assert.equal(sum(run.intervals, 'rx_packets'), num(s.rx_packets));
      // Each interval's RTT percentiles cover both threads' echoes that arrived in it.
      const measured = run.intervals.filter((i) => i.phase === 'measure');
      assert.ok(measured.length > 0);
      assert.equal(sum(measured, 'rtt_samples'), num(s.rx_packets));
      for (const i of measured) assert.ok(num(i.rtt_p50_us) > 0 && num(i.rtt_p50_us) <= num(i.rtt_p99_us), JSON.stringify(i));
    } finally {
      reflector.kill('SIGTERM');
      await reflector;
    }
  });

  it('splits --max-packets between the threads and sends exactly that many', async function () {
    this.timeout(30_000);
    const run = await send(['--dst', rx.target, '--threads', '2', '--flows', '2', '--rate', '10', '--duration', '5',
      '--max-packets', '1001']);
    await rx.waitForQuiet();
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.summary!.tx_packets, 1001);
    assert.equal(rx.packets.length, 1001);
    const perFlow = [...rx.totals().packetsBySourcePort.values()].sort();
    assert.deepEqual(perFlow, [500, 501]);
  });

  it('stops every thread on SIGTERM, prints one summary and exits 5', async function () {
    this.timeout(30_000);
    const child = execa(emitterPath, ['send', '--dst', rx.target, '--threads', '2', '--flows', '2', '--rate', '10', '--duration', '10'],
      { reject: false, timeout: 20_000 });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"interval"')) resolve();
      });
      void child.finally(resolve);
    });
    child.kill('SIGTERM');
    const result = await child;
    await rx.waitForQuiet();
    const lines = String(result.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine);
    const summaries = lines.filter((l) => l.event === 'summary');
    assert.equal(result.exitCode, 5, String(result.stderr));
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]!.status, 'interrupted');
    assert.equal(summaries[0]!.tx_packets, rx.packets.length);
  });

  it('refuses more threads than flows, and a thread count out of range, before sending (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--threads', '3', '--flows', '2'], /--threads 3: each thread sends its own flows: needs --flows 3 or more/],
      [['--threads', '0'], /--threads 0: the number of threads must be within 1\.\.64/],
      [['--threads', '65', '--flows', '100'], /--threads 65: the number of threads must be within 1\.\.64/],
      [['--threads', '2', '--flows', '2', '--max-packets', '1'], /--max-packets 1: .*one packet per thread/],
    ];
    for (const [args, message] of cases) {
      const run = await send(['--dst', rx.target, ...args]);
      assert.equal(run.exitCode, 2, args.join(' '));
      assert.match(run.stderr, message);
    }
    assert.equal(rx.packets.length, 0);
  });

  it('fails the run when a thread cannot start: no summary, exit 1, naming the thread', async function () {
    this.timeout(30_000);
    // 64 threads need 64 stacks (8 MiB of address space each): 200 MiB holds a few, not all.
    const run = await send(['--dst', rx.target, '--threads', '64', '--flows', '64', '--rate', '1', '--duration', '1'],
      'ulimit -s 8192 && ulimit -v 200000');
    assert.equal(run.exitCode, 1, run.stderr);
    assert.match(run.stderr, /cannot start sending thread \d+ of 64/);
    assert.equal(run.summary, undefined);
  });
});
