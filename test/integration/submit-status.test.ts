import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput, waitResult } from '../helpers/binary.js';
import { makeKeyFile, testKeyFile } from '../helpers/key.js';
import { sealRequest } from '../../src/control/auth.js';
import { decodeEnvelope, decodeResponse, encodeRequest } from '../../src/protocol/control-messages.js';
import { loadClusterKey } from '../../src/security/key.js';
import { sendFrame } from '../../src/transport/client.js';
import { parseAddress } from '../../src/transport/address.js';
import { assertSaneRate } from '../helpers/rate.js';

interface JobJson {
  id: string; node: string; state: string; priority: number; reason: string; started_at: string | null;
  stats: { tx_packets: number; tx_mbps: number; rx_measured: boolean; rx_packets: number | null; loss_ratio: number | null; rtt_us: object | null; rtt_note: string } | null;
}

describe('pktgen submit and status (built binaries: schedule, serve, submit, status)', function () {
  this.timeout(120_000);
  let dir: string;
  let receiver: UdpReceiver;
  let schedulerPort: number;
  let control: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  /** Everything the scheduler, the nodes and every submit and status printed. */
  const output: string[] = [];
  let schedulerLog = '';

  const cli = async (...args: string[]) => {
    const result = await execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
    output.push(result.stdout, result.stderr);
    return result;
  };
  const record = (child: ReturnType<typeof spawnPktgen>) => {
    children.push(child);
    child.all?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return child;
  };
  const statusJson = async (): Promise<{ nodes: Array<{ name: string; address: string; health: string; pending: number }>; jobs: JobJson[]; store: object }> => {
    const result = await cli('status', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    return JSON.parse(result.stdout);
  };

  async function startNode(name: string): Promise<number> {
    const port = await freePort();
    const serve = record(spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', name, '--scheduler-port', String(schedulerPort), '--target', receiver.target, '--reflect-port', '0']));
    await waitForOutput(serve, /listening on/);
    return port;
  }

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-submit-'));
    receiver = await startUdpReceiver();
    schedulerPort = await freePort();
    const controlPort = await freePort();
    control = `127.0.0.1:${controlPort}`;
    const m0 = await startNode('m0');
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: m0 }] }));
    const schedule = record(spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]));
    schedule.all?.on('data', (chunk: Buffer) => (schedulerLog += chunk.toString()));
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('submit --wait --json runs a job and prints its SUCCESS; status --json lists node and job with statistics', async () => {
    const result = await cli('submit', '--node', 'm0', '--rate', '10', '--duration', '1', '--size', '500', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const printed = waitResult<{ job_ids: string[]; jobs: JobJson[] }>(result.stdout);
    assert.equal(printed.jobs[0]?.state, 'succeeded');
    assert.ok(printed.jobs[0]!.stats!.tx_packets > 0);
    const status = await statusJson();
    assert.deepEqual(status.nodes.map((n) => [n.name, n.health]), [['m0', 'up']]);
    const job = status.jobs.find((j) => j.id === printed.job_ids[0]);
    assert.equal(job?.state, 'succeeded');
    assertSaneRate(job!.stats!.tx_mbps, 10, 'tx_mbps');
    // The node sends to a plain UDP sink: nothing echoes, so nothing on the way back was measured.
    assert.deepEqual(
      { rx_measured: job!.stats!.rx_measured, rx_packets: job!.stats!.rx_packets, loss_ratio: job!.stats!.loss_ratio, rtt_us: job!.stats!.rtt_us },
      { rx_measured: false, rx_packets: null, loss_ratio: null, rtt_us: null },
    );
    assert.deepEqual(status.store, { ok: true });
  });

  it('--latency with nothing echoing: no RTT, and the result and the node\'s log say why; unmeasured figures are null in JSON and empty in CSV', async () => {
    const result = await cli('submit', '--node', 'm0', '--rate', '2', '--duration', '1', '--latency', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const job = waitResult<{ jobs: JobJson[] }>(result.stdout).jobs[0]!;
    assert.equal(job.state, 'succeeded');
    const note = `no echo from a reflector at ${receiver.target}`;
    assert.equal(job.stats!.rtt_note, note);
    assert.equal(job.stats!.rtt_us, null);
    assert.equal(job.stats!.loss_ratio, null);
    assert.ok(job.stats!.tx_packets > 0);
    assert.ok(output.join('').includes(`WARN  job ${job.id}: no RTT measured: ${note}`), 'the node logs why');
    const one = await cli('status', job.id);
    assert.match(one.stdout, new RegExp(`stats\\.rtt_note +${note}`));
    assert.match(one.stdout, /stats\.loss_ratio +not measured/);
    assert.match(one.stdout, /stats\.rtt_us +not measured/);
    const [header, ...rows] = (await cli('status', '--csv')).stdout.trim().split('\n');
    const columns = header!.split(',');
    const row = rows.find((line) => line.startsWith(`${job.id},`))!.split(',');
    const cell = (name: string) => row[columns.indexOf(name)];
    assert.deepEqual([cell('stats.rx_packets'), cell('stats.loss_ratio'), cell('stats.rtt_us.p99'), cell('stats.rtt_note'), cell('stats.rx_measured')], ['', '', '', note, 'false']);
    assert.notEqual(cell('stats.tx_packets'), '');
  });

  it('queues jobs behind a busy node by priority; --cancel removes a pending job and stops a running one', async () => {
    const submit = async (...args: string[]) => {
      const result = await cli('submit', '--node', 'm0', '--size', '200', ...args);
      assert.equal(result.exitCode, 0, result.stderr);
      return result.stdout.trim();
    };
    const long = await submit('--rate', '5', '--duration', '30');
    const low = await submit('--rate', '1', '--duration', '1', '--priority', '5');
    const high = await submit('--rate', '2', '--duration', '1', '--priority', '1');
    const dropped = await submit('--rate', '3', '--duration', '1', '--priority', '0');
    const cancel = await cli('submit', '--cancel', dropped, '--cancel', long);
    assert.equal(cancel.exitCode, 0, cancel.stderr);
    const wait = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--priority', '9', '--wait', '--json');
    assert.equal(wait.exitCode, 0, wait.stderr);
    const jobs = new Map((await statusJson()).jobs.map((j) => [j.id, j]));
    assert.equal(jobs.get(dropped)?.state, 'cancelled');
    assert.equal(jobs.get(long)?.state, 'cancelled');
    assert.equal(jobs.get(high)?.state, 'succeeded');
    assert.equal(jobs.get(low)?.state, 'succeeded');
    assert.ok(jobs.get(high)!.started_at! < jobs.get(low)!.started_at!, 'priority 1 must run before priority 5');
    // Cancelled is its own state: counted apart from failed, and not an error in the node's log.
    const table = await cli('status', '--node', 'm0');
    const [header, row] = table.stdout.split('\n');
    // Columns are left-aligned under their headers: a cell starts where its header does.
    const at = (name: string) => row!.slice(header!.indexOf(` ${name}`) + 1).split(' ')[0];
    assert.deepEqual([at('failed'), at('cancelled')], ['0', '2'], table.stdout);
    assert.match(output.join(''), new RegExp(`INFO  cancelled job ${long}`));
    assert.doesNotMatch(output.join(''), /failed: cancelled/);
  });

  it('a node added at run time is usable at once', async () => {
    const port = await startNode('m1');
    const add = await cli('submit', '--add-node', `m1=127.0.0.1:${port}`);
    assert.equal(add.exitCode, 0, add.stderr);
    const result = await cli('submit', '--node', 'm1', '--rate', '5', '--duration', '1', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(waitResult<{ jobs: JobJson[] }>(result.stdout).jobs[0]?.state, 'succeeded');
  });

  it('submit --rate 500k runs at 500 kbit/s; status shows it readably; a legacy node is refused the rate, naming it', async () => {
    const before = receiver.packets.length;
    const result = await cli('submit', '--node', 'm0', '--rate', '500k', '--duration', '1', '--size', '500', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const job = waitResult<{ jobs: Array<JobJson & { data: { m: number; rate_bps?: number } }> }>(result.stdout).jobs[0]!;
    assert.equal(job.state, 'succeeded', job.reason);
    assert.deepEqual([job.data.m, job.data.rate_bps], [0, 500_000]);
    await receiver.waitForQuiet(300);
    const bits = receiver.packets.slice(before).reduce((sum, p) => sum + p.frameBytes * 8, 0);
    assertSaneRate(bits / 1e6, 0.5, 'Mbit over the 1 s job');
    const table = await cli('status', '--node', 'm0');
    assert.match(table.stdout, /500 kbit\/s/);
    // A node on the legacy wire knows only whole Mbit/s: refused at submit, naming node and value.
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ nodes: [{ name: 'old1', ip: '127.0.0.1', port: await freePort(), legacy: true }] }));
    assert.equal((await cli('submit', '-n', join(dir, 'old.json'))).exitCode, 0);
    const refused = await cli('submit', '--node', 'old1', '--rate', '1.5', '--duration', '1');
    assert.equal(refused.exitCode, 2);
    assert.equal(refused.stderr.trim(), 'Error: submit: node old1: rate = "1.5 Mbit/s": expected a whole Mbit/s ("m"), the only rate a legacy node takes');
    const both = await cli('submit', '--node', 'm0', '--rate', '1', '--pps', '100', '--duration', '1');
    assert.equal(both.stderr.trim(), 'Error: submit: pps = 100: expected one rate only: "rate" is given too (give one of "m", "rate" or "pps")');
    assert.equal((await cli('submit', '--remove-node', 'old1')).exitCode, 0);
  });

  it('submit --threads 2 sends on two threads, each its own flows; status shows them; a legacy node is refused, naming it', async () => {
    const before = receiver.packets.length;
    const result = await cli('submit', '--node', 'm0', '--rate', '10', '--threads', '2', '--flows', '4', '--duration', '1', '--size', '500', '--wait', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const job = (JSON.parse(result.stdout) as { jobs: Array<JobJson & { data: { threads?: number }; stats: { threads: number } | null }> }).jobs[0]!;
    assert.equal(job.state, 'succeeded', job.reason);
    assert.deepEqual([job.data.threads, job.stats?.threads], [2, 2]);
    await receiver.waitForQuiet(300);
    const packets = receiver.packets.slice(before);
    assert.equal(new Set(packets.map((p) => p.sourcePort)).size, 4);
    assertSaneRate(packets.reduce((sum, p) => sum + p.frameBytes * 8, 0) / 1e6, 10, 'Mbit over the 1 s job');
    const shown = await cli('status', job.id);
    assert.match(shown.stdout, /^stats\.threads +2$/m);
    const tooMany = await cli('submit', '--node', 'm0', '--rate', '10', '--threads', '3', '--flows', '2', '--duration', '1');
    assert.equal(tooMany.exitCode, 2);
    assert.equal(tooMany.stderr.trim(), 'Error: submit: threads = 3: expected at most 2 threads, one per flow ("n" = 2): each thread sends its own flows');
    writeFileSync(join(dir, 'old-threads.json'), JSON.stringify({ nodes: [{ name: 'old2', ip: '127.0.0.1', port: await freePort(), legacy: true }] }));
    assert.equal((await cli('submit', '-n', join(dir, 'old-threads.json'))).exitCode, 0);
    const refused = await cli('submit', '--node', 'old2', '--rate', '1', '--threads', '2', '--flows', '2', '--duration', '1');
    assert.equal(refused.exitCode, 2);
    assert.equal(refused.stderr.trim(), 'Error: submit: node old2: threads = 2: expected 1, a legacy node sends on one thread');
    assert.equal((await cli('submit', '--remove-node', 'old2')).exitCode, 0);
  });

  it('says clearly what is wrong: unknown node, bad field, unreachable scheduler', async () => {
    const unknown = await cli('submit', '--node', 'nope', '--rate', '1', '--duration', '1');
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /unknown node/);
    const bad = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--size', '20');
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /s_min = 20: expected an integer frame size 64\.\.9000/);
    // Checked by the scheduler, in the words a jobs file gets: the same field, value and expectation.
    const zero = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '0', '--grace', '-5');
    assert.equal(zero.exitCode, 2);
    assert.equal(zero.stderr.trim(), 'Error: submit: t = 0: expected an integer duration 1..3600 s');
    const timeout = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--grace=-5');
    assert.equal(timeout.stderr.trim(), 'Error: submit: timeout = -5: expected seconds of grace past w + t, above 0 and up to 86400');
    const port = await freePort();
    const down = await execa(PKTGEN, ['status', '--scheduler', `127.0.0.1:${port}`], { reject: false, env: pktgenEnv() });
    assert.notEqual(down.exitCode, 0);
    assert.match(down.stderr, new RegExp(`cannot reach a scheduler at 127\\.0\\.0\\.1:${port}.*pktgen schedule`));
  });

  it('exports finished jobs as CSV and shows one job in full', async () => {
    const csv = await cli('status', '--csv');
    assert.equal(csv.exitCode, 0, csv.stderr);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    assert.match(header!, /^id,node,state,priority,attempts,target,data\.m,data\.t,.*,expect\.max_loss,.*,finished_at,reason,stats\.tx_packets,/);
    assert.ok(rows.length >= 4);
    const id = (await statusJson()).jobs.find((j) => j.state === 'succeeded')!.id;
    const one = await cli('status', id);
    assert.equal(one.exitCode, 0, one.stderr);
    assert.match(one.stdout, new RegExp(`id +${id}`));
    assert.match(one.stdout, /stats\.tx_packets +[1-9]/);
  });
  it('status --watch (piped: plain lines) reads the scheduler through the authenticated API and shows a job run', async () => {
    const watch = record(spawnPktgen(['status', '--watch', '--scheduler', control]));
    try {
      await waitForOutput(watch, new RegExp(`watching scheduler ${control}: \\d+ nodes?: `));
      const submitted = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1');
      assert.equal(submitted.exitCode, 0, submitted.stderr);
      await waitForOutput(watch, new RegExp(`${submitted.stdout.trim()} succeeded on m0`), 20_000);
      watch.kill('SIGINT');
      const { exitCode, stderr } = await watch;
      assert.equal(exitCode, 0);
      assert.equal(stderr, '');
    } finally {
      watch.kill('SIGKILL');
    }
  });

  it('with another key, submit and status are refused (ERR_AUTH), the job count is unchanged, and the scheduler logs it', async () => {
    const before = (await statusJson()).jobs.length;
    const other = makeKeyFile();
    const submit = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--key-file', other);
    assert.equal(submit.exitCode, 1);
    assert.match(submit.stderr, new RegExp(`^Error: the scheduler at ${control} refused the request: authentication failed: .*this host's key \\(${other}\\) must be a copy of the scheduler's`));
    const status = await cli('status', '--json', '--key-file', other);
    assert.equal(status.exitCode, 1);
    assert.equal(JSON.parse(status.stdout).error.code, 'ERR_AUTH');
    assert.equal((await statusJson()).jobs.length, before);
    assert.match(schedulerLog, /WARN +refused control request from 127\.0\.0\.1: authentication failed \(wrong key\)/);
  });

  it('the built scheduler refuses a bare request (no proof) and a replay of an authentic one: only the authentic one is applied', async () => {
    const before = (await statusJson()).jobs.length;
    const send = async (frame: Uint8Array) => (await sendFrame(parseAddress(control), frame, { expectReply: true, ioTimeoutMs: 5000 }))!;
    const request = encodeRequest({ add_jobs: [{ json: JSON.stringify({ nodes: ['m0'], data: { m: 1, t: 1, s_min: 64 } }), where: 'raw', all_nodes: false }] });
    assert.equal(decodeResponse(await send(request)).error?.code, 'ERR_AUTH');
    const key = await loadClusterKey({ keyFile: testKeyFile(), create: false });
    const { frame } = sealRequest(key, request);
    assert.equal(decodeEnvelope(await send(frame)).mac.length, 32);
    assert.equal(decodeEnvelope(await send(frame)).error?.code, 'ERR_AUTH');
    assert.equal((await statusJson()).jobs.length, before + 1);
    assert.match(schedulerLog, /refused control request from 127\.0\.0\.1: authentication failed \(no proof of the key/);
    assert.match(schedulerLog, /refused control request from 127\.0\.0\.1: authentication failed \(replayed/);
  });

  it('without a readable key, submit and status are refused before they send anything (exit 2, with the fix)', async () => {
    const missing = await cli('status', '--key-file', join(dir, 'nope.key'));
    assert.equal(missing.exitCode, 2);
    assert.equal(missing.stderr, `Error: no cluster key at ${join(dir, 'nope.key')} (--key-file); copy the scheduler's key file there (mode 0600; the scheduler logs where it keeps it), or pass --key-file FILE`);
    const home = join(dir, 'empty-home');
    const nowhere = await execa(PKTGEN, ['status', '--scheduler', control], { reject: false, env: { ...pktgenEnv(), PKTGEN_KEY_FILE: '', XDG_CONFIG_HOME: '', HOME: home } });
    assert.equal(nowhere.exitCode, 2);
    assert.match(nowhere.stderr, new RegExp(`no cluster key: --key-file not given, \\$PKTGEN_KEY_FILE not set, and no file at ${home}/\\.config/pktgen/cluster\\.key`));
    const open = join(dir, 'open.key');
    copyFileSync(testKeyFile(), open);
    chmodSync(open, 0o644);
    const shared = await cli('submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--key-file', open);
    assert.equal(shared.exitCode, 2);
    assert.match(shared.stderr, new RegExp(`is open to group or others \\(mode 0644\\).*run chmod 600 ${open}$`));
  });

  it('the key appears in no log line of the scheduler or the nodes, and in no output of submit or status', () => {
    const hex = readFileSync(testKeyFile(), 'utf8').trim();
    const base64 = Buffer.from(hex, 'hex').toString('base64');
    const all = output.join('');
    assert.ok(all.length > 1000 && schedulerLog.includes('key='), 'the logs were captured');
    for (const form of [hex, hex.toUpperCase(), base64, hex.slice(0, 16), hex.slice(-16)]) assert.ok(!all.includes(form), `the key (${form.length} characters) leaked`);
  });
});
