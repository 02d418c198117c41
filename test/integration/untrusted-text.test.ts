import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FakeNode } from '../helpers/fake-node.js';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

// A node's FAIL reason is a peer's text: a line break could forge a log line, an OSC sequence
// retitles the terminal. Everywhere it is shown it must appear escaped.
const REASON = 'boom\nINFO forged \x1b]0;x\x07 end';
const SHOWN = 'boom\\x0aINFO forged \\x1b]0;x\\x07 end';
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('a FAIL reason with control characters (built binary: schedule, status; a fake node)', function () {
  this.timeout(60_000);
  let dir: string;
  let node: FakeNode;
  let schedule: ReturnType<typeof spawnPktgen>;
  let control: string;
  const cli = (...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-text-'));
    const statusPort = await freePort();
    node = new FakeNode(statusPort);
    node.behaviour = { kind: 'fail', reason: REASON };
    const nodePort = await node.start();
    control = `127.0.0.1:${await freePort()}`;
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort, legacy: true }] }));
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs: [{ nodes: ['m0'], data: { m: 1, t: 1, s_min: 64 } }] }));
    schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '-j', join(dir, 'jobs.json'), '--host', '127.0.0.1', '--port', String(statusPort),
      '--control-port', control.split(':')[1]!, '--state-dir', join(dir, 'state')]);
    await waitForOutput(schedule, /on m0 failed/);
  });
  after(async () => {
    schedule?.kill('SIGTERM');
    await schedule;
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status, status JOB and status --csv show it escaped', async () => {
    const table = await cli('status');
    assert.equal(table.exitCode, 0, table.stderr);
    assert.ok(table.stdout.split('\n').some((l) => l.endsWith(SHOWN)), table.stdout);
    const id = /^(j[0-9a-f]{12}) /m.exec(table.stdout)![1]!;
    const one = await cli('status', id);
    assert.match(one.stdout, /^reason +boom\\x0aINFO forged \\x1b\]0;x\\x07 end$/m);
    const csv = await cli('status', '--csv');
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows.length, 2);
    assert.ok(rows[1]!.includes(`,${SHOWN},`), rows[1]);
    for (const output of [table.stdout, one.stdout, csv.stdout]) assert.doesNotMatch(output, RAW_CONTROL);
    const json = await cli('status', '--json');
    assert.equal((JSON.parse(json.stdout) as { jobs: Array<{ reason: string }> }).jobs[0]!.reason, REASON, 'JSON keeps the exact text');
  });

  it('the scheduler\'s log shows it escaped, on one line (last: stops the scheduler)', async () => {
    schedule.kill('SIGTERM');
    const { all } = await schedule;
    const line = all!.split('\n').find((l) => l.includes('on m0 failed'))!;
    assert.ok(line.endsWith(`failed: ${SHOWN}`), line);
    assert.doesNotMatch(all!, RAW_CONTROL);
    assert.doesNotMatch(all!, /^INFO forged/m);
  });
});
