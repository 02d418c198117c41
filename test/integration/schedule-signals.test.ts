import assert from 'node:assert/strict';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

// A scheduler in a terminal that closes (SIGHUP), under systemd (SIGTERM) or Ctrl-C stops cleanly:
// exit 0 with its state saved, as `serve` does on the same three signals.
describe('schedule stops cleanly on SIGINT, SIGTERM and SIGHUP (built binary)', function () {
  this.timeout(60_000);
  before(() => requireBinary());

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: exit code 0`, async () => {
      const [port, control] = [await freePort(), await freePort()];
      const child = spawnPktgen(['schedule', '--host', '127.0.0.1', '--port', String(port), '--control-port', String(control)]);
      try {
        await waitForOutput(child, /pktgen scheduler listening on/);
        child.kill(signal);
        const result = await child;
        assert.equal(result.exitCode, 0, result.all);
        assert.equal(result.signal, undefined, result.all);
      } finally {
        child.kill('SIGKILL'); // a no-op once it exited
      }
    });
  }
});
