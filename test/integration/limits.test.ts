import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

describe('pktgen schedule limits (built binary): a control request over a limit is refused naming it, and changes nothing', function () {
  this.timeout(60_000);
  let dir: string;
  let control: string;
  let schedule: ReturnType<typeof spawnPktgen>;
  // Nobody listens on these: jobs stay queued (their nodes go down), which is what is counted here.
  const nodePort = [0, 0, 0];
  const cli = (...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
  const file = (name: string, content: unknown): string => {
    writeFileSync(join(dir, name), JSON.stringify(content));
    return join(dir, name);
  };
  const job = (nodes: string[]) => ({ nodes, data: { m: 1, t: 1, s_min: 64 } });

  /** Nodes and jobs the scheduler holds, as `status --json` lists them. */
  async function held(): Promise<{ nodes: string[]; jobs: number }> {
    const status = await cli('status', '--json');
    assert.equal(status.exitCode, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { nodes: Array<{ name: string }>; jobs: unknown[] };
    return { nodes: parsed.nodes.map((n) => n.name), jobs: parsed.jobs.length };
  }

  async function refused(args: string[], message: RegExp): Promise<void> {
    const before = await held();
    const result = await cli('submit', ...args);
    assert.equal(result.exitCode, 2, result.stderr); // a limit is input the user can change: exit 2
    assert.match(result.stderr, message);
    assert.deepEqual(await held(), before, 'the request changed nothing');
  }
  async function accepted(...args: string[]): Promise<void> {
    const result = await cli('submit', ...args);
    assert.equal(result.exitCode, 0, result.stderr);
  }

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-limits-'));
    for (let i = 0; i < nodePort.length; i++) nodePort[i] = await freePort();
    control = `127.0.0.1:${await freePort()}`;
    schedule = spawnPktgen(['schedule', '--host', '127.0.0.1', '--port', String(await freePort()), '--control-port', control.split(':')[1]!,
      '--state-dir', join(dir, 'state'), '--max-queued', '5', '--max-queued-per-node', '3', '--max-nodes', '3']);
    await waitForOutput(schedule, /pktgen scheduler listening on/);
    await accepted('--add-node', `m0=127.0.0.1:${nodePort[0]}`, '--add-node', `m1=127.0.0.1:${nodePort[1]}`);
    await accepted('--node', 'm0', '--node', 'm1', '--rate', '1', '--duration', '1');
  });
  after(async () => {
    schedule.kill('SIGTERM');
    await schedule;
    rmSync(dir, { recursive: true, force: true });
  });

  it('request bytes: a 3 MB jobs file is refused before it is read', async () => {
    const jobs = file('big.json', { jobs: [{ ...job(['m0']), comment: 'x'.repeat(3_000_000) }] });
    await refused(['-j', jobs], /request of 3,000,\d{3} bytes exceeds the limit of 2,097,152 bytes per control request/);
  });

  it('jobs per request: 10,001 jobs', async () => {
    const jobs = file('many.json', { jobs: Array.from({ length: 10_001 }, () => job(['m0'])) });
    await refused(['-j', jobs], /add_jobs: 10,001 or more jobs \(one per node a job runs on\) exceed the limit of 10,000 jobs per request/);
  });

  it('nodes per request: 1,025 nodes', async () => {
    const nodes = file('nodes.json', { nodes: Array.from({ length: 1025 }, (_, i) => ({ name: `n${i}`, ip: '127.0.0.1', port: 40_000 + i })) });
    await refused(['-n', nodes], /add_nodes: 1,025 nodes exceed the limit of 1,024 nodes per request/);
  });

  it('--max-queued-per-node and --max-queued', async () => {
    await refused(['-j', file('m0.json', { jobs: [job(['m0']), job(['m0']), job(['m0'])] })], /add_jobs: 3 jobs for node m0 exceed --max-queued-per-node 3 \(queued there now: 1\)/);
    await refused(['-j', file('both.json', { jobs: [job(['m0', 'm1']), job(['m0', 'm1'])] })], /add_jobs: 4 jobs exceed --max-queued 5 \(queued now: 2\)/);
  });

  it('a HOST:PORT that belongs to another node, then --max-nodes', async () => {
    await refused(['--add-node', `m2=127.0.0.1:${nodePort[0]}`], new RegExp(`add_nodes\\[0\\] = "127\\.0\\.0\\.1:${nodePort[0]}": already the address of node m0`));
    await accepted('--add-node', `m2=127.0.0.1:${nodePort[2]}`);
    await refused(['--add-node', 'm3=127.0.0.1:9'], /add_nodes: 1 new node exceeds --max-nodes 3 \(nodes now: 3\)/);
  });
});
