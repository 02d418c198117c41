import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeNode } from '../helpers/fake-node.js';
import { freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

describe('pktgen schedule (built binary): kill -9 and restart', function () {
  this.timeout(90_000);
  let dir: string;
  let node: FakeNode;

  beforeEach(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-restart-'));
  });
  afterEach(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends every job exactly once, loses none and runs none twice', async () => {
    const schedulerPort = await freePort();
    node = new FakeNode(schedulerPort);
    const nodePort = await node.start();
    node.behaviour = { kind: 'succeed', ms: 300 };
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort, legacy: true }] }));
    const jobs = Array.from({ length: 8 }, (_, i) => ({ nodes: ['m0'], priority: i % 3, data: { m: 1 + i, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false } }));
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs }));
    const args = ['schedule', '-n', join(dir, 'nodes.json'), '-j', join(dir, 'jobs.json'), '--host', '127.0.0.1', '--port', String(schedulerPort), '--state-dir', join(dir, 'state')];

    const first = spawnPktgen(args);
    await waitForOutput(first, /queued 8 job/);
    while (node.jobs.length < 3) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await first;

    const second = spawnPktgen([...args, '--exit-when-done']);
    const result = await second;
    assert.equal(result.exitCode, 0, result.all);
    // The run killed half way is resumed, not queued again, and its results are reported whole.
    assert.match(result.all, /resuming run 1 of .*jobs\.json: [1-8] of 8 jobs open/);
    assert.match(result.all, /done: 8 succeeded$/m);
    const ids = node.jobs.map((j) => j.job.id);
    assert.equal(ids.length, 8, `node received ${ids.join(',')}`);
    assert.equal(new Set(ids).size, 8, 'a job ran twice');
    const rates = node.jobs.map((j) => j.job.m);
    assert.deepEqual([...rates].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
