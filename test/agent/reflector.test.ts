import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Reflector, reflectorBackoffMs } from '../../src/agent/reflector.js';
import { createLogger } from '../../src/log.js';

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

  it('keeps retrying with backoff while its port is taken, and listens once it is free', async () => {
    const squatter = dgram.createSocket('udp4');
    squatter.bind(0, '127.0.0.1');
    await once(squatter, 'listening');
    const port = squatter.address().port;
    reflector = new Reflector({ spec: { bind: { host: '127.0.0.1', port }, allow: [] }, helperPath: async () => helper, log, backoffMs: () => 100 });
    assert.equal(await reflector.start(), undefined, 'the first start fails');
    assert.ok(lines.some((l) => l.includes('WARN') && /Address already in use.*restarting in 0\.10 s/.test(l)), lines.join(''));
    squatter.close();
    const deadline = Date.now() + 5000;
    while (!reflector.address && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(reflector.address?.port, port);
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
