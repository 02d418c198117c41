import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput, waitResult } from '../helpers/binary.js';

interface JobJson {
  id: string; state: string; reason: string;
  expect?: Record<string, string>;
  stats: { tx_packets: number; rx_measured: boolean; loss_ratio: number | null } | null;
}

// Expectations end to end: the built binary's schedule, serve (with a reflector that drops one test
// packet in 20: a hidden test flag) and submit, all on loopback.
describe('expectations (built binaries: schedule, serve with a dropping reflector, submit, status)', function () {
  this.timeout(120_000);
  let dir: string;
  let control: string;
  let dropping: string;
  let clean: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  const output: string[] = [];

  const cli = async (...args: string[]) => {
    const result = await execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
    output.push(result.stdout, result.stderr);
    return result;
  };
  const record = (child: ReturnType<typeof spawnPktgen>) => {
    children.push(child);
    child.all?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return child;
  };
  /** A node whose reflector listens on a port of its own; `drop`: it drops one test packet in that many. */
  async function startNode(name: string, schedulerPort: number, drop = 0): Promise<{ port: number; reflector: string }> {
    const [port, reflect] = [await freePort(), await freePort()];
    const serve = record(spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', name, '--scheduler-port', String(schedulerPort),
      '--reflect-port', String(reflect), ...(drop ? ['--reflect-drop-every', String(drop)] : [])]));
    await waitForOutput(serve, /pktgen node .* listening on/);
    return { port, reflector: `127.0.0.1:${reflect}` };
  }
  const submitJson = async (...args: string[]) => {
    const result = await cli('submit', '--node', 'm0', '--rate', '4', '--duration', '2', '--size', '200', '--wait', '--json', ...args);
    return { exitCode: result.exitCode, job: waitResult<{ jobs: JobJson[] }>(result.stdout).jobs[0]!, stderr: result.stderr };
  };

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-expect-'));
    const schedulerPort = await freePort();
    const controlPort = await freePort();
    control = `127.0.0.1:${controlPort}`;
    const m0 = await startNode('m0', schedulerPort, 20);
    dropping = m0.reflector;
    clean = (await startNode('m1', schedulerPort)).reflector;
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: m0.port }] }));
    const schedule = record(spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]));
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--max-loss 0% through a reflector that drops: the job ends failed naming the expectation and the loss, stats kept; submit --wait exits 1', async () => {
    const { exitCode, job, stderr } = await submitJson('--target', dropping, '--max-loss', '0%');
    assert.equal(exitCode, 1, stderr);
    assert.equal(job.state, 'failed');
    assert.deepEqual(job.expect, { max_loss: '0%' });
    // One packet in 20 dropped: about 5 % lost.
    const match = /^expectation max_loss 0% missed: loss (\d+(?:\.\d+)?)%$/.exec(job.reason);
    assert.ok(match, `reason: ${job.reason}`);
    assert.ok(Math.abs(Number(match[1]) - 5) <= 1, `loss ${match[1]}%, expected about 5%`);
    assert.equal(job.stats!.rx_measured, true);
    assert.ok(job.stats!.tx_packets > 0);
    assert.equal(Number((job.stats!.loss_ratio! * 100).toPrecision(3)), Number(match[1]), 'the reason names the measured loss');
    // status ID shows the expectation with the job, and the reason.
    const one = await cli('status', job.id);
    assert.equal(one.exitCode, 0, one.stderr);
    assert.match(one.stdout, /^expect\.max_loss +0%$/m);
    assert.match(one.stdout, /^reason +expectation max_loss 0% missed: loss /m);
  });

  it('the same job against a reflector that drops nothing meets a loss limit: submit --wait exits 0', async () => {
    // A 1 % limit, not 0 %: loopback may lose an echo on a loaded test machine, which is not what this checks.
    const { exitCode, job, stderr } = await submitJson('--target', clean, '--max-loss', '1%', '--min-rate', '90%');
    assert.equal(exitCode, 0, `${stderr} ${job.reason}`);
    assert.equal(job.state, 'succeeded');
    assert.deepEqual(job.expect, { max_loss: '1%', min_rate: '90%' });
  });

  it('a loss limit where nothing echoes fails the job as not measured, never passes', async () => {
    const sink = await freePort();
    const { exitCode, job } = await submitJson('--target', `127.0.0.1:${sink}`, '--max-loss', '100%');
    assert.equal(exitCode, 1);
    assert.equal(job.state, 'failed');
    assert.equal(job.reason, 'expectation max_loss 100% not measured: no echoes came back (no reflector answered), so loss is unknown');
  });

  it('a bad expectation is refused before anything runs, naming the flag\'s field (exit 2)', async () => {
    const result = await cli('submit', '--node', 'm0', '--rate', '4', '--duration', '1', '--max-rtt-p99', '500');
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /submit: expect\.max_rtt_p99 = "500": expected an RTT above 0 and up to 60s: a number and a unit, us, ms or s \(e\.g\. 500us\)/);
  });

  it('schedule --exit-when-done exits 1 when a jobs file\'s "expect" is missed', async () => {
    const schedulerPort = await freePort();
    const node = await startNode('e0', schedulerPort, 20);
    writeFileSync(join(dir, 'e-nodes.json'), JSON.stringify({ nodes: [{ name: 'e0', ip: '127.0.0.1', port: node.port }] }));
    writeFileSync(join(dir, 'e-jobs.json'), JSON.stringify({ jobs: [{ nodes: ['e0'], target: node.reflector, data: { m: 4, t: 1, s_min: 200 }, expect: { max_loss: '0.1%' } }] }));
    const result = await execa(PKTGEN, ['schedule', '-n', join(dir, 'e-nodes.json'), '-j', join(dir, 'e-jobs.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(await freePort()), '--state-dir', join(dir, 'e-state'), '--exit-when-done', '--deadline', '1m'], { reject: false, all: true, env: pktgenEnv(), timeout: 90_000 });
    assert.equal(result.exitCode, 1, result.all);
    assert.match(String(result.all), /expectation max_loss 0\.1% missed: loss \d/);
  });
});
