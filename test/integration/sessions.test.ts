import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { makeKeyFile } from '../helpers/key.js';
import { startUdpReceiver } from '../helpers/udp-receiver.js';
import { encodeStatus } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';

// The built binaries: a scheduler and a node with different cluster keys never open a session.
describe('pktgen schedule -> serve with different keys (built binaries)', function () {
  this.timeout(60_000);
  let dir: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];

  before(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-sessions-'));
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the node refuses the session, the scheduler logs "authentication failed" naming the node, and the job stays queued', async () => {
    const nodePort = await freePort();
    const controlPort = await freePort();
    const nodeKey = makeKeyFile();
    const schedulerKey = makeKeyFile();
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(nodePort), '--reflect-port', '0', '--key-file', nodeKey]);
    children.push(serve);
    await waitForOutput(serve, /listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }] }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(await freePort()),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state'), '--key-file', schedulerKey]);
    children.push(schedule);
    const refused = waitForOutput(schedule, /node m0: authentication failed: node at 127\.0\.0\.1:\d+ did not prove the cluster key/);
    await refused;
    const env = pktgenEnv({ PKTGEN_KEY_FILE: schedulerKey });
    const submit = await execa(PKTGEN, ['submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--scheduler', `127.0.0.1:${controlPort}`], { reject: false, env });
    assert.equal(submit.exitCode, 0, submit.stderr);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const status = await execa(PKTGEN, ['status', '--json', '--scheduler', `127.0.0.1:${controlPort}`], { reject: false, env });
    const { nodes, jobs } = JSON.parse(status.stdout) as { nodes: Array<{ name: string; health: string }>; jobs: Array<{ state: string }> };
    assert.deepEqual(jobs.map((job) => job.state), ['pending']);
    assert.deepEqual(nodes.map((node) => [node.name, node.health]), [['m0', 'down']]);
  });

  it('a forged SUCCESS on the status port does not complete a job that runs over a session', async () => {
    const nodePort = await freePort();
    const statusPort = await freePort();
    const controlPort = await freePort();
    const receiver = await startUdpReceiver();
    try {
      const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(nodePort), '--reflect-port', '0', '--target', receiver.target]);
      children.push(serve);
      await waitForOutput(serve, /listening on/);
      writeFileSync(join(dir, 'one-node.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }] }));
      const schedule = spawnPktgen(['schedule', '-n', join(dir, 'one-node.json'), '--host', '127.0.0.1', '--port', String(statusPort),
        '--control-port', String(controlPort), '--state-dir', join(dir, 'state-forged')]);
      children.push(schedule);
      await waitForOutput(schedule, /session with node m0 at 127\.0\.0\.1:\d+ open/);
      const env = pktgenEnv();
      const control = ['--scheduler', `127.0.0.1:${controlPort}`];
      const submit = await execa(PKTGEN, ['submit', '--node', 'm0', '--rate', '1', '--duration', '3', ...control], { reject: false, env });
      assert.equal(submit.exitCode, 0, submit.stderr);
      const id = submit.stdout.trim();
      const state = async (): Promise<string> => {
        const status = await execa(PKTGEN, ['status', id, '--json', ...control], { reject: false, env });
        return (JSON.parse(status.stdout) as { state: string }).state;
      };
      const end = Date.now() + 5000;
      while ((await state()) !== 'running' && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100));
      const ignored = waitForOutput(schedule, new RegExp(`ignored unauthenticated SUCCESS from 127\\.0\\.0\\.1 for job ${id}: node m0 reports over its session`));
      // The attack of issue 10: the 6 bytes 00 00 00 02 08 01, then a SUCCESS that names the job.
      await sendFrame({ host: '127.0.0.1', port: statusPort }, encodeStatus({ type: 'SUCCESS' }));
      await sendFrame({ host: '127.0.0.1', port: statusPort }, encodeStatus({ type: 'SUCCESS', job_id: id, node: 'm0' }));
      await ignored;
      assert.equal(await state(), 'running');
      const done = Date.now() + 10_000;
      while ((await state()) !== 'succeeded' && Date.now() < done) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await state(), 'succeeded', 'the real SUCCESS, over the session');
    } finally {
      await receiver.close();
    }
  });
});
