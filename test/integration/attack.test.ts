import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput, waitResult } from '../helpers/binary.js';
import { SlowDrip } from '../helpers/slow-drip.js';

/** Resident memory of a process in MB, from /proc (0 once it is gone). */
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Connections per port: issue 10's 1,100, unless this process may not open that many sockets. */
function attackSize(): number {
  const soft = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  return Math.min(1100, Math.floor((soft - 256) / 3));
}

describe('pktgen under a slow-drip attack on loopback (built binary: schedule, serve, submit, status)', function () {
  this.timeout(120_000);
  let dir: string;
  let receiver: UdpReceiver;
  let control: string;
  let ports: { node: number; status: number; control: number };
  let schedule: ReturnType<typeof spawnPktgen>;
  let serve: ReturnType<typeof spawnPktgen>;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  const cli = (...args: string[]) =>
    execa(PKTGEN, [...args, '--scheduler', control], { reject: false, timeout: 30_000, env: pktgenEnv() });

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-attack-'));
    receiver = await startUdpReceiver();
    ports = { node: await freePort(), status: await freePort(), control: await freePort() };
    control = `127.0.0.1:${ports.control}`;
    serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(ports.node), '--name', 'm0', '--scheduler-port', String(ports.status), '--target', receiver.target, '--reflect-port', '0']);
    children.push(serve);
    await waitForOutput(serve, /listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: ports.node }] }));
    schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(ports.status),
      '--control-port', String(ports.control), '--state-dir', join(dir, 'state')]);
    children.push(schedule);
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job over its session and answers status on time while 1,100 connections drip into each port; the scheduler stays under 300 MB and logs refusals rate-limited', async () => {
    const count = attackSize();
    if (count < 1100) console.log(`    (only ${count} connections per port: this process may open ${count * 3 + 256} files)`);
    const baseline = rssMb(schedule.pid!);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(schedule.pid!))), 200);
    // Each connection announces 1 MiB and sends a byte every 4 s, and is opened again 1 s after the server closes it.
    const attacks = [ports.node, ports.status, ports.control].map((port) => new SlowDrip({ port, count, dripEveryMs: 4000, reconnectAfterMs: 1000 }));
    let jobMs: number;
    let statusMs: number;
    try {
      for (const attack of attacks) await attack.start();
      const attackStarted = Date.now();
      const submitted = Date.now();
      const submit = await cli('submit', '--node', 'm0', '--rate', '10', '--duration', '1', '--size', '500', '--wait', '--json');
      jobMs = Date.now() - submitted;
      assert.equal(submit.exitCode, 0, `${submit.stderr}\n${submit.stdout}`);
      const printed = waitResult<{ jobs: Array<{ id: string; state: string }> }>(submit.stdout);
      assert.equal(printed.jobs[0]?.state, 'succeeded');
      const asked = Date.now();
      const status = await cli('status', '--json');
      statusMs = Date.now() - asked;
      assert.equal(status.exitCode, 0, status.stderr);
      const listed = JSON.parse(status.stdout) as { jobs: Array<{ id: string; state: string }> };
      assert.equal(listed.jobs.find((j) => j.id === printed.jobs[0]!.id)?.state, 'succeeded');
      // Held past one 10 s logging interval, so that the refusal summaries are written.
      await sleep(Math.max(0, attackStarted + 10_500 - Date.now()));
      // The attack was held throughout: the servers kept closing its connections.
      for (const attack of attacks) assert.ok(attack.closedByServer >= count, `only ${attack.closedByServer} attack connections were closed`);
    } finally {
      clearInterval(sampler);
      for (const attack of attacks) attack.stop();
    }
    const reopened = attacks.map((a) => a.opened - count);
    console.log(`    job ${jobMs} ms (1 s of traffic), status ${statusMs} ms; scheduler RSS ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB at most; attack connections reopened ${reopened.join(' / ')}`);
    assert.ok(jobMs < 20_000, `the job took ${jobMs} ms`);
    assert.ok(statusMs < 20_000, `status took ${statusMs} ms`);
    assert.ok(peak < 300, `the scheduler reached ${peak.toFixed(0)} MB`);
    schedule.kill('SIGTERM');
    const refusals = ((await schedule).all ?? '').split('\n').filter((line) => /refused/.test(line));
    // Thousands of connections were refused: a few lines per kind every 10 s, and the summaries.
    console.log(`    ${refusals.length} refusal lines logged by the scheduler`);
    assert.ok(refusals.length < 200, `${refusals.length} refusal lines:\n${refusals.slice(0, 20).join('\n')}`);
    assert.ok(refusals.some((line) => /\.\.\. and [\d,]+ more in the last \d+ s/.test(line)), refusals.join('\n'));
    // The job went over the authenticated session, which the attack never closed.
    serve.kill('SIGTERM');
    const nodeLog = (await serve).all ?? '';
    assert.equal(nodeLog.match(/session with scheduler \S+ at /g)?.length, 1, nodeLog.split('\n').filter((l) => /session/.test(l)).join('\n'));
    assert.doesNotMatch(nodeLog, /legacy job/);
  });
});
