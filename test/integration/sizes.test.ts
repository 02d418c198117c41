import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FRAME_OVERHEAD, startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput, waitResult } from '../helpers/binary.js';

interface SizesJobJson {
  id: string; state: string; reason: string;
  data: { s_min: number; s_max: number; sizes?: Array<{ size: number; weight: number }> };
  stats: { tx_packets: number; tx_sizes?: Array<{ size: number; packets: number }> } | null;
}

/** Frames per size, from what a sink received. */
function countBySize(frames: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const bytes of frames) counts.set(bytes, (counts.get(bytes) ?? 0) + 1);
  return counts;
}

describe('frame-size mixes (built binaries: schedule, serve, submit, status; an independent UDP sink)', function () {
  this.timeout(120_000);
  let dir: string;
  let sink: UdpReceiver;
  let control: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  const output: string[] = [];

  const cli = async (...args: string[]) => {
    const result = await execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
    output.push(result.stdout, result.stderr);
    return result;
  };
  const start = async (args: string[], ready: RegExp) => {
    const child = spawnPktgen(args);
    children.push(child);
    child.all?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await waitForOutput(child, ready);
  };

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-sizes-'));
    // The sink is a plain Node dgram socket: it knows nothing of pktgen but the datagram lengths.
    sink = await startUdpReceiver();
    const [nodePort, schedulerPort, controlPort] = [await freePort(), await freePort(), await freePort()];
    control = `127.0.0.1:${controlPort}`;
    await start(['serve', '--host', '127.0.0.1', '--port', String(nodePort), '--name', 'm0', '--scheduler-port', String(schedulerPort), '--target', sink.target, '--reflect-port', '0'], /listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }, { name: 'old1', ip: '127.0.0.1', port: await freePort(), legacy: true }] }));
    await start(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort), '--control-port', String(controlPort), '--state-dir', join(dir, 'state')], /pktgen scheduler listening on/);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(output.join('\n').slice(-4000));
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--size imix reaches the sink as 64/594/1518-byte frames in 7:4:1 (+-5 % each), and the result shows what was sent per size', async () => {
    const before = sink.packets.length;
    const result = await cli('submit', '--node', 'm0', '--rate', '20M', '--duration', '2', '--size', 'imix', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const job = waitResult<{ jobs: SizesJobJson[] }>(result.stdout).jobs[0]!;
    assert.equal(job.state, 'succeeded', job.reason);
    assert.deepEqual(job.data.sizes, [{ size: 64, weight: 7 }, { size: 594, weight: 4 }, { size: 1518, weight: 1 }]);
    assert.deepEqual([job.data.s_min, job.data.s_max], [64, 1518]);
    await sink.waitForQuiet(300);

    // The sink sees UDP payloads; a frame is payload + 14 (Ethernet header) + 4 (FCS) + 20 (IPv4)
    // + 8 (UDP) bytes, so a 64-byte frame is an 18-byte payload: exactly the test header.
    assert.equal(FRAME_OVERHEAD[4], 14 + 4 + 20 + 8);
    const frames = sink.packets.slice(before).map((p) => p.payloadBytes + 14 + 4 + 20 + 8);
    const counts = countBySize(frames);
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [64, 594, 1518], 'only the three IMIX sizes arrive');
    assert.ok(frames.length > 1000, `${frames.length} frames at the sink`);
    for (const [size, weight] of [[64, 7], [594, 4], [1518, 1]] as const) {
      const share = counts.get(size)! / frames.length;
      const expected = weight / 12;
      assert.ok(Math.abs(share - expected) <= 0.05 * expected, `${size}-byte frames: ${(share * 100).toFixed(2)} % of ${frames.length}, expected ${(expected * 100).toFixed(2)} % +- 5 %`);
    }

    // What the node says it sent per size: the sizes of the mix, adding up to tx_packets, in the
    // mix's exact proportions (within one frame each), and never more than the sink received.
    const sent = job.stats!.tx_sizes!;
    assert.deepEqual(sent.map((s) => s.size), [64, 594, 1518]);
    assert.equal(sent.reduce((sum, s) => sum + s.packets, 0), job.stats!.tx_packets);
    for (const [i, weight] of [7, 4, 1].entries()) {
      assert.ok(Math.abs(sent[i]!.packets - (job.stats!.tx_packets * weight) / 12) <= 1, `${sent[i]!.size}: ${sent[i]!.packets} of ${job.stats!.tx_packets}`);
      assert.ok(sent[i]!.packets <= counts.get(sent[i]!.size)!, `${sent[i]!.size}: sent ${sent[i]!.packets}, the sink got ${counts.get(sent[i]!.size)}`);
    }

    // status JOB shows the mix and the counts; --csv the mix (as JSON text, in a quoted cell).
    const detail = await cli('status', job.id);
    assert.match(detail.stdout, /^sizes\s+64:7,594:4,1518:1$/m);
    assert.match(detail.stdout, new RegExp(`^stats\\.tx_sizes\\s+${sent.map((s) => `${s.size}:${s.packets}`).join(',')}$`, 'm'));
    const [header, ...rows] = (await cli('status', '--csv')).stdout.trim().split('\n');
    const columns = header!.split(',');
    const row = rows.find((line) => line.startsWith(`${job.id},`))!;
    assert.ok(columns.includes('data.sizes') && !columns.includes('data.size'), header);
    assert.ok(row.includes('"[{""size"":64,""weight"":7},{""size"":594,""weight"":4},{""size"":1518,""weight"":1}]"'), row);
  });

  it('a weighted list in a jobs file runs as written; a bad mix is refused naming the field, and a mix to a legacy node naming the node (exit 2)', async () => {
    const before = sink.packets.length;
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs: [{ nodes: ['m0'], data: { m: 5, t: 1, size: '100:1,1000:3' } }] }));
    const result = await cli('submit', '-j', join(dir, 'jobs.json'), '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const job = waitResult<{ jobs: SizesJobJson[] }>(result.stdout).jobs[0]!;
    assert.equal(job.state, 'succeeded', job.reason);
    await sink.waitForQuiet(300);
    const counts = countBySize(sink.packets.slice(before).map((p) => p.frameBytes));
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [100, 1000]);
    const share = counts.get(1000)! / (counts.get(100)! + counts.get(1000)!);
    assert.ok(Math.abs(share - 0.75) <= 0.05 * 0.75, `1000-byte frames: ${share}`);

    const zero = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--size', '64:0,1518:1');
    assert.equal(zero.exitCode, 2);
    assert.equal(zero.stderr.trim(), 'Error: submit: size = "64:0,1518:1": expected an integer weight 1..10000 for each size (64:0 is not)');
    const big = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--size', '64:7,9001:1');
    assert.equal(big.exitCode, 2);
    assert.equal(big.stderr.trim(), 'Error: submit: size = "64:7,9001:1": expected frame sizes 64..9000 in a mix (9001 is not)');
    const legacy = await cli('submit', '--node', 'old1', '--rate', '1', '--duration', '1', '--size', 'imix');
    assert.equal(legacy.exitCode, 2);
    assert.equal(legacy.stderr.trim(), 'Error: submit: node old1: size = "64:7,594:4,1518:1": expected one size or a range ("s_min"/"s_max"), the only sizes a legacy node takes');
    // One size is no mix: a legacy node takes it.
    const one = await cli('submit', '--node', 'old1', '--rate', '1', '--duration', '1', '--size', '594:4', '--json');
    assert.equal(one.exitCode, 0, one.stderr);
    assert.equal((await cli('submit', '--cancel-node', 'old1')).exitCode, 0);
  });
});
