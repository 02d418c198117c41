import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeJob } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';

const NOBODY = 65534;
const HELPER = fileURLToPath(new URL('../../dist/pktgen-emit', import.meta.url));

// The attack report: no home, a shared TMPDIR in which another user made pktgen/ (777) and planted a
// wrapper where the helper would go. The node must not run it, as root least of all.
describe('pktgen serve (built binary) with no home and a shared TMPDIR another user prepared', function () {
  this.timeout(60_000);
  let shared: string;
  let marker: string;
  let scheduler: FakeScheduler;
  let receiver: UdpReceiver;

  before(async function () {
    if (process.getuid?.() !== 0) return this.skip(); // another user's files need chown, so root
    requireBinary();
    shared = await mkdtemp(join(tmpdir(), 'pktgen-shared-tmp-'));
    await chmod(shared, 0o1777); // like /tmp
    marker = join(shared, 'planted-helper-ran');
    const hash = createHash('sha256').update(readFileSync(HELPER)).digest('hex').slice(0, 16);
    for (const name of ['pktgen', 'pktgen-0']) {
      const folder = join(shared, name);
      await mkdir(join(folder, hash), { recursive: true });
      await writeFile(join(folder, hash, 'pktgen-emit'), `#!/bin/sh\ntouch ${marker}\nexec ${HELPER} "$@"\n`);
      for (const path of [folder, join(folder, hash), join(folder, hash, 'pktgen-emit')]) {
        await chown(path, NOBODY, NOBODY);
        await chmod(path, 0o777);
      }
    }
    scheduler = new FakeScheduler();
    await scheduler.start();
    receiver = await startUdpReceiver();
  });
  after(async () => {
    await scheduler?.close();
    await receiver?.close();
    if (shared) await rm(shared, { recursive: true, force: true });
  });

  it('runs the job with its own helper from a private folder, never the planted one, and removes that folder at exit', async () => {
    const port = await freePort();
    const serve = spawnPktgen(
      ['serve', '--host', '127.0.0.1', '--port', String(port), '--legacy-allow', '127.0.0.1/32', '--scheduler-port', String(scheduler.port), '--target', receiver.target, '--reflect-port', '0'],
      { HOME: '', TMPDIR: shared, PKTGEN_CACHE_DIR: '', XDG_CACHE_HOME: '' },
    );
    try {
      await waitForOutput(serve, /listening on/);
      await sendFrame({ host: '127.0.0.1', port }, encodeJob({ m: 1, t: 1, w: 0, s_min: 64, id: 'job-1' }));
      const statuses = await scheduler.waitFor(2, 30_000);
      assert.deepEqual(statuses.map((s) => `${s.type}:${s.job_id}`), ['STARTED:job-1', 'SUCCESS:job-1'], statuses[1]?.reason);
      assert.equal(existsSync(marker), false, 'the planted helper ran');
      const privateFolders = (await readdir(shared)).filter((name) => /^pktgen-0-\w{6}$/.test(name));
      assert.equal(privateFolders.length, 1);
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await serve;
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all, new RegExp(`WARN +helper cache: not using ${shared}/pktgen-0 \\(${shared}/pktgen-0 is owned by uid 65534, not by uid 0 that pktgen runs as\\); using ${shared}/pktgen-0-\\w{6}, a private folder removed at exit`));
    assert.deepEqual((await readdir(shared)).sort(), ['pktgen', 'pktgen-0']);
    assert.equal(existsSync(marker), false);
  });
});
