import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

// The start-up line is what an operator reads to know what is exposed: every socket, as bound.
describe('start-up lines name every listening socket (built binary)', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-listening-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function firstLine(args: string[], pattern: RegExp): Promise<string> {
    const child = spawnPktgen(args);
    try {
      const output = await waitForOutput(child, pattern);
      return output.split('\n').find((line) => pattern.test(line))!;
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  }

  it('serve: jobs (TCP) and the reflector (UDP), HOST:PORT each', async () => {
    const [port, reflect] = [await freePort(), await freePort()];
    const line = await firstLine(['serve', '--host', '127.0.0.1', '--port', String(port), '--reflect-port', String(reflect), '--name', 'n1'], /pktgen node n1 listening on/);
    assert.match(line, new RegExp(`listening on 127\\.0\\.0\\.1:${port} \\(TCP, jobs\\) and 127\\.0\\.0\\.1:${reflect} \\(UDP, reflector\\)`));
  });

  it('serve without --name: two nodes on one host call themselves host-PORT, and say where the name came from', async () => {
    const ports = [await freePort(), await freePort()];
    const lines = await Promise.all(ports.map(async (port) => {
      const escaped = `${hostname()}-${port}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return firstLine(['serve', '--host', '127.0.0.1', '--port', String(port), '--reflect-port', '0'], new RegExp(`pktgen node ${escaped} listening on 127\\.0\\.0\\.1:${port} `));
    }));
    for (const line of lines) assert.match(line, /name[=:] ?"?the host name, plus the port when not the default \(--name sets one\)/);
  });

  it('schedule: statuses and the control API (both TCP), HOST:PORT each', async () => {
    const [port, control] = [await freePort(), await freePort()];
    const line = await firstLine(['schedule', '--host', '127.0.0.1', '--port', String(port), '--control-port', String(control), '--state-dir', join(dir, 'state')], /pktgen scheduler listening on/);
    assert.match(line, new RegExp(`listening on 127\\.0\\.0\\.1:${port} \\(TCP, statuses from nodes\\) and 127\\.0\\.0\\.1:${control} \\(TCP, control API for submit, status and the UI\\)`));
  });
});
