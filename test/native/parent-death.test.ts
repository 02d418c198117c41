import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { startUdpReceiver } from '../helpers/udp-receiver.js';
import { isAlive } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const helper = path.join(nativeDir, 'build', 'pktgen-emit');

/** Starts the helper under a shell that waits for it: the shell, the helper's pid, and their stdout so far. */
async function underShell(args: string[]): Promise<{ shell: ResultPromise; pid: number; output: () => string }> {
  const shell = execa('sh', ['-c', '"$@" & echo $!; wait', 'sh', helper, ...args], { reject: false, stdin: 'ignore', buffer: false });
  let text = '';
  shell.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await until('the helper\'s pid', () => text.includes('\n'));
  return { shell, pid: Number(text.split('\n')[0]), output: () => text };
}

// The helper never outlives the process that started it (PR_SET_PDEATHSIG, SIGKILL).
describe('pktgen-emit dies with its parent', function () {
  this.timeout(30_000);

  before(async function () {
    this.timeout(120_000);
    await execa('make', ['-C', nativeDir]);
  });

  it('a sender stops sending at once when its parent is killed with SIGKILL', async () => {
    const receiver = await startUdpReceiver();
    try {
      const { shell, pid } = await underShell(['--dst', receiver.target, '--rate', '1', '--duration', '60']);
      await until('the first packets', () => receiver.totals().packets > 10);
      shell.kill('SIGKILL');
      await until('the sender gone', () => !isAlive(pid), 2000);
      await shell;
      await receiver.waitForQuiet(300);
      const after = receiver.totals().packets;
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(receiver.totals().packets, after, 'no packet after the sender was gone');
    } finally {
      await receiver.close();
    }
  });

  it('a reflector goes with its parent and frees its port', async () => {
    const probe = dgram.createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = probe.address().port;
    probe.close();
    const { shell, pid, output } = await underShell(['reflect', '--bind', `127.0.0.1:${port}`]);
    await until('the reflector listening', () => output().includes('"event":"listening"'));
    shell.kill('SIGKILL');
    await until('the reflector gone', () => !isAlive(pid), 2000);
    await shell;
    const again = dgram.createSocket('udp4');
    again.bind(port, '127.0.0.1');
    await once(again, 'listening');
    again.close();
  });

  it('does not start when the parent named in PKTGEN_EMIT_PARENT_PID is already gone', async () => {
    // The parent died before the helper could ask to die with it: the helper was adopted by another.
    const receiver = await startUdpReceiver();
    try {
      const result = await execa(helper, ['--dst', receiver.target, '--rate', '1', '--duration', '5'], {
        reject: false, env: { PKTGEN_EMIT_PARENT_PID: '1' },
      });
      assert.equal(result.exitCode, 1);
      assert.equal(result.stderr, 'pktgen-emit: the process that started pktgen-emit (pid 1) is gone: not starting');
      assert.equal(result.stdout, '');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(receiver.totals().packets, 0);
    } finally {
      await receiver.close();
    }
  });

  it('runs when PKTGEN_EMIT_PARENT_PID names its parent, and refuses one that is not a pid', async () => {
    const ok = await execa(helper, ['--dst', '127.0.0.1:9', '--rate', '1', '--duration', '0.2'], { reject: false, env: { PKTGEN_EMIT_PARENT_PID: String(process.pid) } });
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.match(ok.stdout, /"event":"summary"/);
    const bad = await execa(helper, ['--dst', '127.0.0.1:9'], { reject: false, env: { PKTGEN_EMIT_PARENT_PID: 'me' } });
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr, 'pktgen-emit: PKTGEN_EMIT_PARENT_PID=me: expected a process id');
  });
});
