import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FakeNode } from '../helpers/fake-node.js';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

/** Bounded waits, honest exits and node management, through the built binary (issue 11, items 5 and 6). */
describe('pktgen schedule and submit (built binary): bounded waits, re-run jobs files, node management', function () {
  this.timeout(120_000);
  let dir: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  const nodes: FakeNode[] = [];

  beforeEach(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-waits-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGTERM');
    for (const node of nodes.splice(0)) await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A scheduler with node m0 at a port nobody listens on: m0 is down from the start. */
  async function schedulerWithDownNode(): Promise<{ control: string; downPort: number }> {
    const [statusPort, controlPort, downPort] = [await freePort(), await freePort(), await freePort()];
    const schedule = spawnPktgen(['schedule', '--add-node', `m0=127.0.0.1:${downPort}`, '--host', '127.0.0.1', '--port', String(statusPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]);
    children.push(schedule);
    await waitForOutput(schedule, /node m0 .* is down/);
    return { control: `127.0.0.1:${controlPort}`, downPort };
  }
  // Bounded: a wait that never ended would be killed, and fail on its exit code.
  const cli = (control: string, ...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv(), timeout: 60_000 });

  // How soon it exits (the goal: within 7 s) is measured by bench/submit-timeout.ts, not asserted here.
  it('submit --wait --timeout 5s to a down node prints the id first, exits 3, and names the job and the down node', async () => {
    const { control } = await schedulerWithDownNode();
    const result = await cli(control, 'submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--wait', '--timeout', '5s');
    assert.equal(result.exitCode, 3, result.stderr);
    const id = result.stdout.split('\n')[0]!;
    assert.match(id, /^j[0-9a-f]{12}$/);
    assert.match(result.stderr, /node m0 is down since .*: 1 of these job\(s\) wait for it; still waiting \(until the --timeout of 5 s\)/);
    assert.match(result.stderr, new RegExp(`timed out after 5 s \\(--timeout\\) with 1 of 1 job\\(s\\) still open:\\n  ${id} on m0 \\(pending\\): next to run on m0; node m0 is down since \\S+Z \\(\\d+ s ago\\)`));
    // --json: the same, as data.
    const json = await cli(control, 'submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--wait', '--timeout', '1s', '--json');
    assert.equal(json.exitCode, 3);
    const doc = JSON.parse(json.stdout) as { job_ids: string[]; timed_out: boolean; open: Array<{ id: string; why: string }> };
    assert.equal(doc.timed_out, true);
    assert.deepEqual(doc.open.map((o) => o.id), doc.job_ids);
    assert.match(doc.open[0]!.why, /queued behind 1 job\(s\) on m0; node m0 is down since/);
    // A bare number is no duration: the job's grace is --grace now, and the message says so.
    const bare = await cli(control, 'submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--wait', '--timeout', '30');
    assert.equal(bare.exitCode, 2);
    assert.match(bare.stderr, /--timeout "30": expected a duration with a unit, .* --grace 30/);
  });

  it('submit --cancel-node cancels every job of a node, which stays; --remove-node removes it; both name unknown nodes (exit 2)', async () => {
    const { control } = await schedulerWithDownNode();
    const ids = (await cli(control, 'submit', '--node', 'm0', '--rate', '1', '--duration', '1')).stdout.trim();
    const second = (await cli(control, 'submit', '--node', 'm0', '--rate', '2', '--duration', '1')).stdout.trim();
    const cancel = await cli(control, 'submit', '--cancel-node', 'm0');
    assert.equal(cancel.exitCode, 0, cancel.stderr);
    assert.deepEqual(cancel.stdout.trim().split('\n').sort(), [`cancelled ${ids}`, `cancelled ${second}`].sort());
    const third = (await cli(control, 'submit', '--node', 'm0', '--rate', '3', '--duration', '1')).stdout.trim();
    const remove = await cli(control, 'submit', '--remove-node', 'm0');
    assert.equal(remove.exitCode, 0, remove.stderr);
    assert.deepEqual(remove.stdout.trim().split('\n'), ['removed node m0', `cancelled ${third}`]);
    const status = JSON.parse((await cli(control, 'status', '--json')).stdout) as { nodes: unknown[]; jobs: Array<{ id: string; state: string; reason: string }> };
    assert.deepEqual(status.nodes, []);
    assert.deepEqual(status.jobs.map((j) => `${j.state}: ${j.reason}`), [
      'cancelled: cancelled with every job of node m0', 'cancelled: cancelled with every job of node m0', 'cancelled: node m0 removed',
    ]);
    for (const flag of ['--remove-node', '--cancel-node']) {
      const unknown = await cli(control, 'submit', flag, 'm0');
      assert.equal(unknown.exitCode, 2);
      assert.match(unknown.stderr, /node m0: no such node/);
    }
  });

  it('schedule --exit-when-done --deadline 3s with a down node exits 3, naming the open job and why', async () => {
    const downPort = await freePort();
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs: [{ nodes: ['m0'], priority: 0, data: { m: 1, t: 1, s_min: 64 } }] }));
    const result = await spawnPktgen(['schedule', '--add-node', `m0=127.0.0.1:${downPort}`, '-j', join(dir, 'jobs.json'), '--port', '0', '--control-port', '0',
      '--state-dir', join(dir, 'state'), '--exit-when-done', '--deadline', '3s']);
    assert.equal(result.exitCode, 3, result.all);
    assert.match(result.all, /deadline of 3 s \(--deadline\) passed with 1 job\(s\) open; so far: 1 pending/);
    assert.match(result.all, /  j[0-9a-f]{12} on m0 \(pending\): next to run on m0; node m0 is down since/);
  });

  it('running the same jobs file twice with one state folder and --exit-when-done runs every job twice', async () => {
    const statusPort = await freePort();
    const node = new FakeNode(statusPort);
    nodes.push(node);
    const nodePort = await node.start();
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort, legacy: true }] }));
    const jobs = [1, 2, 3].map((m) => ({ nodes: ['m0'], priority: 0, data: { m, t: 1, s_min: 64 } }));
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs }));
    const run = () => spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '-j', join(dir, 'jobs.json'), '--host', '127.0.0.1', '--port', String(statusPort),
      '--control-port', '0', '--state-dir', join(dir, 'state'), '--exit-when-done']);

    const first = await run();
    assert.equal(first.exitCode, 0, first.all);
    assert.match(first.all, /queued 3 job\(s\) from .*jobs\.json \(run 1\)/);
    const second = await run();
    assert.equal(second.exitCode, 0, second.all);
    assert.match(second.all, /jobs\.json ran before \(run 1, loaded \S+, finished \S+\): queued as run 2/);
    assert.match(second.all, /queued 3 job\(s\) from .*jobs\.json \(run 2\)/);
    // The results are this run's: three jobs, not six, and the earlier ones are pointed to.
    assert.match(second.all, /done: 3 succeeded \(3 job\(s\) that finished before this start are not shown: pktgen status lists them\)/);
    const ids = node.jobs.map((j) => j.job.id);
    assert.equal(ids.length, 6, `the node received ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, 6, 'every run has new job ids');
    assert.deepEqual(node.jobs.map((j) => j.job.m).sort(), [1, 1, 2, 2, 3, 3]);
  });

  it('refuses a second node at a HOST:PORT another has (exit 2, naming both): in nodes.json, and from --add-node', async () => {
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: 1731 }, { name: 'm1', ip: 'localhost', port: 1731 }] }));
    const args = ['--port', '0', '--control-port', '0', '--state-dir', join(dir, 'state')];
    const inFile = await spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), ...args]);
    assert.equal(inFile.exitCode, 2);
    assert.match(inFile.stderr, /nodes\.json: \$\.nodes\[1\] = "localhost:1731": already the address of node m0 \(\$\.nodes\[0\]: 127\.0\.0\.1:1731\); give node m1 its own "port"/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: 1731 }] }));
    const added = await spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--add-node', 'm3=localhost:1731,reflector=127.0.0.1:1732', ...args]);
    assert.equal(added.exitCode, 2);
    assert.match(added.stderr, /--add-node m3 = "localhost:1731": already the address of node m0 \(127\.0\.0\.1:1731\); give node m3 its own HOST:PORT/);
    const twice = await spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--add-node', 'm0=127.0.0.1:1740', ...args]);
    assert.equal(twice.exitCode, 2);
    assert.match(twice.stderr, /--add-node m0: node m0 is already given \(.*nodes\.json: \$\.nodes\[0\]\); give each node once/);
  });
});
