import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Reflector, reflectorBackoffMs } from '../../src/agent/reflector.js';
import { createLogger } from '../../src/log.js';
import { UserError } from '../../src/errors.js';
import { childrenRunning } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const helper = path.join(nativeDir, 'build', 'pktgen-emit');

describe('agent: reflector process', function () {
  this.timeout(30_000);
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line), level: 'debug' });
  let reflector: Reflector | undefined;

  before(async function () {
    this.timeout(120_000);
    await execa('make', ['-C', nativeDir]);
  });
  beforeEach(() => {
    lines.length = 0;
  });
  afterEach(async () => {
    await reflector?.stop();
    reflector = undefined;
  });

  it('backs off 0.25 s, 0.5 s, 1 s ... up to 30 s', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 20].map(reflectorBackoffMs), [250, 500, 1000, 2000, 30_000, 30_000]);
  });

  it('starts, says where it listens, echoes, and logs its counts when stopped', async () => {
    reflector = new Reflector({ spec: { bind: { host: '127.0.0.1', port: 0 }, allow: ['127.0.0.0/8'] }, helperPath: async () => helper, log });
    const address = await reflector.start();
    assert.equal(address?.host, '127.0.0.1');
    assert.ok(address!.port > 0);
    assert.ok(lines.some((l) => l.includes(`reflector listening on 127.0.0.1:${address!.port}`)), lines.join(''));
    const socket = dgram.createSocket('udp4');
    const packet = Buffer.alloc(18);
    packet.writeUInt16BE(0x5047, 0);
    socket.send(packet, address!.port, '127.0.0.1');
    const [echo] = (await once(socket, 'message')) as [Buffer];
    assert.equal(echo.readUInt16BE(0), 0x5065);
    socket.close();
    await reflector.stop();
    assert.ok(lines.some((l) => /reflector stopped .*received=1 echoed=1/.test(l)), lines.join(''));
  });

  it('refuses to start on a port that is taken, naming --reflect-port and what to do, and does not retry', async () => {
    const squatter = dgram.createSocket('udp4');
    squatter.bind(0, '127.0.0.1');
    await once(squatter, 'listening');
    const port = squatter.address().port;
    try {
      reflector = new Reflector({ spec: { bind: { host: '127.0.0.1', port }, allow: [] }, helperPath: async () => helper, log, backoffMs: () => 50 });
      await assert.rejects(reflector.start(), (error: UserError) => {
        assert.ok(error instanceof UserError);
        assert.equal(error.exitCode, 2);
        assert.equal(error.message, `--reflect-port ${port}: UDP 127.0.0.1:${port} is already in use, perhaps by another pktgen serve that is still running: stop it, or pass another --reflect-port (0 = no reflector)`);
        return true;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(childrenRunning(process.pid, helper).length, 0, 'no reflector left running');
      assert.ok(!lines.some((l) => l.includes('restarting')), lines.join(''));
    } finally {
      squatter.close();
    }
  });

  it('after a healthy start, restarts a crashed reflector with backoff, also while its port is taken', async () => {
    reflector = new Reflector({ spec: { bind: { host: '127.0.0.1', port: 0 }, allow: [] }, helperPath: async () => helper, log, backoffMs: () => 200 });
    const first = await reflector.start();
    const [child] = childrenRunning(process.pid, helper);
    assert.ok(child, 'the reflector runs as a child of this process');
    // Killed, then its port taken by someone else before the restart: it keeps trying.
    process.kill(child.pid, 'SIGKILL');
    await until('the crash in the log', () => lines.some((l) => /WARN .*reflector on 127\.0\.0\.1:0 failed \(signal SIGKILL\); restarting in 0\.20 s/.test(l)));
    await until('listening again', () => reflector!.address !== undefined && reflector!.address.port !== first!.port);
    assert.equal(childrenRunning(process.pid, helper).length, 1);
    await reflector.stop();
    const squatter = dgram.createSocket('udp4');
    squatter.bind(0, '127.0.0.1');
    await once(squatter, 'listening');
    const port = squatter.address().port;
    squatter.close();
    reflector = new Reflector({ spec: { bind: { host: '127.0.0.1', port }, allow: [] }, helperPath: async () => helper, log, backoffMs: () => 1000 });
    await reflector.start();
    process.kill(childrenRunning(process.pid, helper)[0]!.pid, 'SIGKILL');
    // Gone (its socket closed with it): the port is taken in the second before the restart.
    await until('the crash in the log', () => lines.some((l) => new RegExp(`reflector on 127\\.0\\.0\\.1:${port} failed \\(signal SIGKILL\\)`).test(l)));
    const again = dgram.createSocket('udp4');
    again.bind(port, '127.0.0.1');
    await once(again, 'listening');
    await until('a retry refused with "in use"', () => lines.some((l) => /WARN .*Address already in use.*restarting in 1\.00 s/.test(l)), 5000);
    again.close();
    await until('listening again once the port is free', () => reflector!.address?.port === port);
  });

  it('stops a reflector that ignores SIGTERM with SIGKILL after the grace time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pktgen-reflector-'));
    try {
      const stubborn = join(dir, 'stubborn');
      writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\necho '{\"event\":\"listening\",\"bind\":\"127.0.0.1:9\",\"allow\":\"\"}'\nwhile :; do sleep 0.05; done\n", { mode: 0o755 });
      reflector = new Reflector({ spec: { bind: { host: '127.0.0.1', port: 0 }, allow: [] }, helperPath: async () => stubborn, log, stopGraceMs: 300 });
      assert.equal((await reflector.start())?.port, 9);
      const shell = realpathSync('/bin/sh');
      assert.equal(childrenRunning(process.pid, shell).length, 1);
      const started = Date.now();
      await reflector.stop();
      assert.ok(Date.now() - started >= 250, 'SIGTERM alone did not stop it');
      assert.equal(childrenRunning(process.pid, shell).length, 0, 'killed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing helper and retries instead of crashing the node', async () => {
    let asked = 0;
    reflector = new Reflector({
      spec: { bind: { host: '127.0.0.1', port: 0 }, allow: [] }, log, backoffMs: () => 50,
      helperPath: async () => { asked++; throw new Error('not built'); },
    });
    assert.equal(await reflector.start(), undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(asked >= 2, `asked ${asked} times`);
    assert.ok(lines.some((l) => /failed \(cannot find the helper \(.*not built\)\)/.test(l)), lines.join(''));
  });
});
