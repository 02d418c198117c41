import assert from 'node:assert/strict';
import { startTestbed, type Testbed } from '../helpers/testbed.js';

interface JobJson {
  state: string;
  reason: string;
  data: { m: number; rate_bps?: number; pps?: number };
  stats: { tx_packets: number } | null;
}

/**
 * Item 3's acceptance at a sink: what `submit --rate` / `--pps` asks for is what arrives, counted
 * in packets and frame bytes over a fixed-duration job (counts, not clock readings: the emitter
 * paces to deadlines, so a job of t seconds sends rate x t however loaded the machine is).
 */
describe('rate units at a UDP sink (built binaries: schedule, serve, submit)', function () {
  this.timeout(120_000);
  let bed: Testbed;

  before(async () => {
    bed = await startTestbed();
  });
  after(async () => {
    await bed?.close();
  });

  // [flags, frame bytes, what the job's data carries, frames expected over 2 s]
  const cases: Array<[string[], number, JobJson['data'], number]> = [
    [['--pps', '10000'], 64, { m: 0, pps: 10_000 }, 20_000],
    [['--rate', '500k'], 500, { m: 0, rate_bps: 500_000 }, (500_000 * 2) / 8 / 500],
    [['--rate', '1.5'], 500, { m: 0, rate_bps: 1_500_000 }, (1_500_000 * 2) / 8 / 500],
  ];
  for (const [flags, size, data, frames] of cases) {
    it(`${flags.join(' ')} for 2 s: ${frames} frames of ${size} bytes (${(frames * size * 8) / 2 / 1000} kbit/s) +- 1 % arrive`, async () => {
      const { result, packets, dropped } = await bed.runJob(...flags, '--duration', '2', '--size', String(size));
      assert.equal(result.exitCode, 0, result.stderr);
      const job = (JSON.parse(result.stdout) as { jobs: JobJson[] }).jobs[0]!;
      assert.equal(job.state, 'succeeded', job.reason);
      assert.deepEqual({ m: job.data.m, rate_bps: job.data.rate_bps, pps: job.data.pps }, { rate_bps: undefined, pps: undefined, ...data });
      // Frames the sink's socket dropped at a full buffer arrived too; the sink is all this test's.
      const arrived = packets.length + dropped;
      assert.ok(Math.abs(arrived - frames) <= frames * 0.01, `${arrived} frames arrived (${dropped} dropped at the socket), expected ${frames} +- 1 %`);
      const bytes = packets.reduce((sum, p) => sum + p.frameBytes, 0) + dropped * size;
      assert.ok(Math.abs(bytes - frames * size) <= frames * size * 0.01, `${bytes} frame bytes arrived, expected ${frames * size} +- 1 %`);
      assert.ok(packets.every((p) => p.frameBytes === size), 'every frame has the asked size');
      // On loopback nothing is lost on the way: the node's count is the sink's.
      assert.equal(job.stats?.tx_packets, arrived);
    });
  }

  it('refuses both --rate and --pps, and a rate that is not one, naming the field (exit 2)', async () => {
    const both = await bed.cli('submit', '--node', 'm0', '--pps', '10', '--rate', '1', '--duration', '1');
    assert.equal(both.exitCode, 2);
    assert.match(both.stderr, /pps = 10: expected one rate only/);
    const bad = await bed.cli('submit', '--node', 'm0', '--rate', '1.5x', '--duration', '1');
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /rate = "1\.5x": expected a rate of frame bits\/s/);
  });
});
