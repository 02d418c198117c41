import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput, waitResult } from '../helpers/binary.js';

interface IntervalJson {
  index: number; start: string; duration_s: number; tx_packets: number; tx_bytes: number; tx_mbps: number; tx_mpps: number;
  rx_packets: number | null; rx_bytes: number | null; loss_ratio: number | null; rtt_us: { p50: number; p99: number; samples: number } | null;
}
interface JobJson {
  id: string; node: string; state: string; reason: string;
  stats: { tx_packets: number; rx_packets: number | null; rx_measured: boolean; intervals?: IntervalJson[] } | null;
}
type Line = { event: 'interval'; job: string; node: string } & IntervalJson;

// Intervals end to end: the built binary's schedule, serve (with its reflector) and submit on loopback.
describe('intervals (built binaries: schedule, serve with a reflector, submit --wait --json, status)', function () {
  this.timeout(120_000);
  let dir: string;
  let control: string;
  let reflector: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];

  const cli = (...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-intervals-'));
    const [schedulerPort, controlPort, port, reflect] = [await freePort(), await freePort(), await freePort(), await freePort()];
    control = `127.0.0.1:${controlPort}`;
    reflector = `127.0.0.1:${reflect}`;
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', 'm0', '--scheduler-port', String(schedulerPort), '--reflect-port', String(reflect)]);
    children.push(serve);
    await waitForOutput(serve, /pktgen node .* listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port }] }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]);
    children.push(schedule);
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('submit --wait --json for a 5 s job streams >= 5 interval lines while it runs, then the result, whose intervals add up to its tx packets', async () => {
    const child = execa(PKTGEN, ['submit', '--node', 'm0', '--target', reflector, '--rate', '4', '--duration', '5', '--warmup', '1', '--size', '200',
      '--latency', '--wait', '--json', '--timeout', '60s', '--scheduler', control], { reject: false, env: pktgenEnv() });
    // Which stdout chunk each line came in: streamed lines come in chunks before the result's.
    const chunkOf: number[] = [];
    let chunks = 0;
    let partial = '';
    child.stdout?.on('data', (data: Buffer) => {
      chunks++;
      const text = partial + data.toString();
      const complete = text.split('\n');
      partial = complete.pop()!;
      for (const line of complete) if (line.trim()) chunkOf.push(chunks);
    });
    const result = await child;
    assert.equal(result.exitCode, 0, result.stderr);
    const lines = String(result.stdout).trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const intervals = lines.slice(0, -1) as Line[];
    const { jobs } = waitResult<{ jobs: JobJson[] }>(String(result.stdout));
    const job = jobs[0]!;
    assert.equal(job.state, 'succeeded', job.reason);
    assert.ok(intervals.length >= 5, `${intervals.length} interval lines`);
    assert.ok(intervals.every((line) => line.event === 'interval' && line.job === job.id && line.node === 'm0'));
    // Each interval once, in order, the warm-up's none.
    assert.deepEqual(intervals.map((line) => line.index), intervals.map((_, i) => i));
    assert.ok(chunkOf[0]! < chunkOf[chunkOf.length - 1]!, 'the first interval line came before the result, not with it');
    const measured = job.stats!.intervals!;
    assert.ok(measured.length >= 5, `${measured.length} intervals in the result`);
    assert.equal(measured.reduce((sum, interval) => sum + interval.tx_packets, 0), job.stats!.tx_packets);
    assert.equal(measured.reduce((sum, interval) => sum + interval.rx_packets!, 0), job.stats!.rx_packets, 'echoes counted by send time add up too');
    assert.equal(intervals.length, measured.length);
    for (const interval of measured) {
      assert.match(interval.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(interval.duration_s > 0.9 && interval.duration_s < 1.1, `duration ${interval.duration_s}`);
      assert.ok(interval.tx_mbps > 0 && interval.loss_ratio !== null);
      assert.ok(interval.rtt_us && interval.rtt_us.samples > 0 && interval.rtt_us.p99 >= interval.rtt_us.p50, JSON.stringify(interval.rtt_us));
    }
    // The streamed lines show the same intervals: same index, start and tx figures.
    assert.deepEqual(intervals.map((line) => [line.index, line.start, line.tx_packets]), measured.map((i) => [i.index, i.start, i.tx_packets]));

    // status --json holds them; status --csv --intervals writes one row per interval.
    const status = await cli('status', job.id, '--json');
    assert.equal(status.exitCode, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as JobJson).stats!.intervals, measured);
    const csv = await cli('status', '--csv', '--intervals');
    assert.equal(csv.exitCode, 0, csv.stderr);
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows[0], 'job,node,index,start,duration_s,tx_packets,tx_bytes,tx_mbps,tx_mpps,rx_packets,rx_bytes,loss_ratio,rtt_p50_us,rtt_p99_us,rtt_samples');
    const mine = rows.slice(1).map((row) => row.split(',')).filter((cells) => cells[0] === job.id);
    assert.deepEqual(mine.map((cells) => [Number(cells[2]), cells[3], Number(cells[5])]), measured.map((i) => [i.index, i.start, i.tx_packets]));
  });

  it('--interval 500ms: twice as many intervals, still adding up; without a reflector rx and loss are null, not 0', async () => {
    const sink = await freePort();
    const result = await cli('submit', '--node', 'm0', '--target', `127.0.0.1:${sink}`, '--rate', '2', '--duration', '2', '--size', '200', '--interval', '500ms', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const job = waitResult<{ jobs: JobJson[] }>(result.stdout).jobs[0]!;
    const measured = job.stats!.intervals!;
    assert.equal(measured.length, 4);
    assert.equal(measured.reduce((sum, interval) => sum + interval.tx_packets, 0), job.stats!.tx_packets);
    assert.ok(measured.every((interval) => interval.rx_packets === null && interval.loss_ratio === null && interval.rtt_us === null));
    assert.ok(measured.every((interval) => Math.abs(interval.duration_s - 0.5) < 0.05), JSON.stringify(measured.map((i) => i.duration_s)));
  });

  it('a bad interval exits 2 naming the field and what is expected; a non-default one is refused for a legacy node, naming it', async () => {
    const bad = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--interval', '50ms');
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr.trim(), 'Error: submit: interval = "50ms": expected an interval 100ms..60s: a whole number and a unit, ms, s, m, h or d (e.g. 500ms, 2s)');
    const many = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '3600', '--interval', '100ms');
    assert.equal(many.exitCode, 2);
    assert.equal(many.stderr.trim(), 'Error: submit: interval = "100ms": expected at most 3600 intervals of the 3600 s measured: an interval of 1000ms or more');
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ nodes: [{ name: 'old1', ip: '127.0.0.1', port: await freePort(), legacy: true }] }));
    assert.equal((await cli('submit', '-n', join(dir, 'old.json'))).exitCode, 0);
    const refused = await cli('submit', '--node', 'old1', '--rate', '1', '--duration', '1', '--interval', '2s');
    assert.equal(refused.exitCode, 2);
    assert.equal(refused.stderr.trim(), 'Error: submit: node old1: interval_ms = 2000: expected the default interval (1000 ms): a legacy node reports no intervals');
    assert.equal((await cli('submit', '--remove-node', 'old1')).exitCode, 0);
  });
});
