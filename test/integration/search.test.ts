import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { PKTGEN, pktgenEnv, requireBinary, waitForOutput } from '../helpers/binary.js';

// The RFC 2544 throughput search end to end: the built binary's schedule and two serve nodes in
// network namespaces this test creates: A (m0 and the scheduler) and B (m1, whose reflector echoes
// the trials), joined through a forwarding namespace R by veth pairs; R's tbf qdisc limits the
// forward direction (towards B) to TBF_MBPS. Trials are searched from m0 to m1.
//
// The limit a search should find, per frame size F (pktgen counts frame bytes with the 4-byte FCS;
// tbf counts the skb, i.e. the frame without FCS and preamble): TBF_MBPS * F / (F - 4) Mbit/s of
// pktgen frame bits, e.g. 20.32 Mbit/s for 256 bytes, 20.16 for 512, 20.05 for 1518. Sizes start at
// 256 bytes: on this shared 2-core machine (7 test sessions at once) the sender fell 25 % short at
// 128 bytes (20 kpps) and the reflector dropped 64-byte packets near 40 Mbit/s: their limits, not the path's.
//
// Margins: above the limit, tbf passes its bucket (32 KB) and queues up to its latency (50 ms,
// 125 KB) before it drops, so over a 1 s warm-up and a 2 s trial (7.5 MB at 20 Mbit/s) a rate up to
// ~2.1 % above the limit loses nothing, and 2 % more loses no more than MAX_LOSS: found <= limit *
// 1.045 + resolution. Below it, on this loaded machine (a hundred pacing stalls a second were seen),
// up to ~1 % was lost at 94 % of the limit, under MAX_LOSS: found >= limit * 0.92 - resolution.

const TBF_MBPS = 20;
/**
 * tbf's bucket: 32 KB, 13 ms at 20 Mbit/s. A smaller one (4 KB) lost tokens whenever its timer ran
 * late on this loaded machine, and the path then took well under its rate.
 */
const TBF_BURST = '256kbit';
/** tbf's queue: 50 ms, 125 KB at 20 Mbit/s, before it drops; a sender stalled longer sends a burst tbf drops. */
const TBF_LATENCY = '50ms';
const SIZES = [256, 512, 1518];
/** Loss allowed: up to ~1 % was lost below the limit on this loaded machine (the reflector's socket, sender bursts). */
const MAX_LOSS = '2%';
const MAX_RATE_MBPS = 32;
const RESOLUTION_PCT = 1;
const expectedMbps = (size: number): number => (TBF_MBPS * size) / (size - 4);

const tag = `${process.pid % 100000}`;
const nsA = `pgt-srch-a-${tag}`;
const nsR = `pgt-srch-r-${tag}`;
const nsB = `pgt-srch-b-${tag}`;
const addrA = '198.18.0.1';
const addrB = '198.18.0.6';
const ports = { m0: 17290, m1: 17291, reflect: 17292, status: 18000, control: 18010 };

async function sh(args: string[], timeout = 10_000) {
  return execa(args[0]!, args.slice(1), { reject: false, timeout });
}

async function removeNamespaces(): Promise<void> {
  // Deleting a namespace deletes the veth ends inside it, and with them the pairs and their qdiscs.
  for (const ns of [nsA, nsR, nsB]) await sh(['ip', 'netns', 'del', ns]);
}

/**
 * A -- R -- B: R forwards, and limits what it forwards to B with tbf. The limit sits on a forwarding
 * hop, as a device under test would: tbf on the sender's own interface would push back on the
 * sending socket (its queue counts against the socket's buffer) instead of dropping, and the sender
 * would just slow down.
 */
async function makeNamespaces(): Promise<void> {
  const [a0, r0, r1, b0] = ['a0', 'r0', 'r1', 'b0'].map((end) => `pgs${end}${tag}`);
  const steps = [
    ...[nsA, nsR, nsB].map((ns) => ['ip', 'netns', 'add', ns]),
    ['ip', 'link', 'add', a0!, 'netns', nsA, 'type', 'veth', 'peer', 'name', r0!, 'netns', nsR],
    ['ip', 'link', 'add', r1!, 'netns', nsR, 'type', 'veth', 'peer', 'name', b0!, 'netns', nsB],
    ['ip', '-n', nsA, 'addr', 'add', `${addrA}/30`, 'dev', a0!],
    ['ip', '-n', nsR, 'addr', 'add', '198.18.0.2/30', 'dev', r0!],
    ['ip', '-n', nsR, 'addr', 'add', '198.18.0.5/30', 'dev', r1!],
    ['ip', '-n', nsB, 'addr', 'add', `${addrB}/30`, 'dev', b0!],
    ...[[nsA, a0!], [nsR, r0!], [nsR, r1!], [nsB, b0!], [nsA, 'lo'], [nsB, 'lo']].map(([ns, dev]) => ['ip', '-n', ns!, 'link', 'set', dev!, 'up']),
    ['ip', '-n', nsA, 'route', 'add', '198.18.0.4/30', 'via', '198.18.0.2'],
    ['ip', '-n', nsB, 'route', 'add', '198.18.0.0/30', 'via', '198.18.0.5'],
    ['ip', 'netns', 'exec', nsR, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'],
    ['ip', 'netns', 'exec', nsR, 'tc', 'qdisc', 'add', 'dev', r1!, 'root', 'tbf', 'rate', `${TBF_MBPS}mbit`, 'burst', TBF_BURST, 'latency', TBF_LATENCY],
  ];
  for (const step of steps) {
    const r = await sh(step);
    if (r.exitCode !== 0) throw new Error(`${step.join(' ')}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`);
  }
}

interface TrialJson { job_id: string; rate_mbps: number | null; verdict: string; loss_pct: number | null; tx_mbps: number | null }
interface SizeJson { size: number; state: string; lo_mbps: number; hi_mbps: number | null; throughput_mbps: number | null; throughput_mpps: number | null; reason: string; trials: TrialJson[] }
interface SearchJson { id: string; state: string; sizes: SizeJson[] }

describe('throughput search (RFC 2544 26.1) through a tbf-limited veth pair (built binaries, as root)', function () {
  this.timeout(600_000);
  let dir: string;
  const children = new Set<ResultPromise>();
  const output: string[] = [];
  const env = pktgenEnv();

  /** Starts `pktgen ARGS` inside namespace `ns`; `ip netns exec` execs it, so the pid is pktgen's. */
  function start(ns: string, args: string[]): ResultPromise {
    const child = execa('ip', ['netns', 'exec', ns, PKTGEN, ...args], { reject: false, all: true, env });
    children.add(child);
    child.all?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void child.finally(() => children.delete(child));
    return child;
  }
  const cli = (...args: string[]) => execa('ip', ['netns', 'exec', nsA, PKTGEN, ...args, '--scheduler', `127.0.0.1:${ports.control}`], { reject: false, env, timeout: 400_000 });
  const schedulers: ResultPromise[] = [];
  const scheduler = (): ResultPromise => schedulers[schedulers.push(start(nsA, ['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(ports.status),
    '--control-port', String(ports.control), '--state-dir', join(dir, 'state')])) - 1]!;
  async function searches(): Promise<SearchJson[]> {
    const result = await cli('status', '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    return (JSON.parse(result.stdout) as { searches: SearchJson[] }).searches;
  }
  async function waitForSearch(id: string, timeoutMs: number, ok: (search: SearchJson) => boolean): Promise<SearchJson> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const search = (await searches()).find((s) => s.id === id);
      if (search && ok(search)) return search;
      if (Date.now() > deadline) throw new Error(`search ${id} did not get there within ${timeoutMs} ms: ${JSON.stringify(search)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** The id of a trial job of search `id` that is out on its node (sent or running). */
  async function waitForOpenTrial(id: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await cli('status', '--json');
      const jobs = (JSON.parse(result.stdout) as { jobs: Array<{ id: string; state: string; search?: string }> }).jobs;
      const open = jobs.find((j) => j.search === id && (j.state === 'sent' || j.state === 'running'));
      if (open) return open.id;
      if (Date.now() > deadline) throw new Error(`no trial of search ${id} was out within ${timeoutMs} ms: ${JSON.stringify(jobs.filter((j) => j.search === id))}`);
    }
  }

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-search-'));
    await removeNamespaces();
    await makeNamespaces();
    const allow = ['--allow-from', `${addrA}/32,127.0.0.1/32`, '--allow-target', '198.18.0.0/29'];
    const m0 = start(nsA, ['serve', '--host', '127.0.0.1', '--port', String(ports.m0), '--name', 'm0', '--scheduler-port', String(ports.status),
      '--reflect-port', '0', '--no-gso', '--state-dir', join(dir, 'm0'), ...allow]);
    const m1 = start(nsB, ['serve', '--host', addrB, '--port', String(ports.m1), '--name', 'm1', '--scheduler-port', String(ports.status),
      '--reflect-port', String(ports.reflect), '--state-dir', join(dir, 'm1'), ...allow]);
    await Promise.all([waitForOutput(m0, /pktgen node .* listening on/), waitForOutput(m1, /pktgen node .* listening on/)]);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [
      { name: 'm0', ip: '127.0.0.1', port: ports.m0 },
      { name: 'm1', ip: addrB, port: ports.m1, reflector: `${addrB}:${ports.reflect}` },
    ] }));
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.race([Promise.all(children), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    for (const child of children) child.kill('SIGKILL');
    await removeNamespaces();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(output.join('').split('\n').slice(-80).join('\n'));
    // The scheduler of a test ends with it (the nodes serve every test).
    for (const child of schedulers) child.kill('SIGTERM');
    await Promise.all(schedulers.splice(0));
  });

  it('finds the tbf limit of each of 3 frame sizes within the resolution (and the stated margins), in --json, CSV and the table', async () => {
    const schedule = scheduler();
    await waitForOutput(schedule, /pktgen scheduler listening on/);
    const result = await cli('submit', '--search', 'throughput', '--node', 'm0', '--target', 'm1', '--sizes', SIZES.join(','), '--trial', '2s', '--warmup', '1',
      '--max-loss', MAX_LOSS, '--resolution', `${RESOLUTION_PCT}%`, '--max-rate', `${MAX_RATE_MBPS}M`, '--wait', '--json');
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
    const { search } = JSON.parse(result.stdout) as { search: SearchJson };
    assert.equal(search.state, 'done');
    const resolution = (MAX_RATE_MBPS * RESOLUTION_PCT) / 100;
    for (const size of search.sizes) {
      const limit = expectedMbps(size.size);
      const found = size.throughput_mbps!;
      assert.equal(size.state, 'done', `${size.size}: ${size.reason}`);
      assert.ok(found <= limit * 1.045 + resolution && found >= limit * 0.92 - resolution,
        `${size.size} bytes: found ${found} Mbit/s, tbf limit ${limit.toFixed(3)} Mbit/s; trials ${JSON.stringify(size.trials)}`);
      assert.ok(Math.abs(size.throughput_mpps! - (found * 1e6) / (size.size * 8) / 1e6) < 1e-5, 'Mpps is the rate in frames of that size');
      // The trials that led there: the first at max_rate lost packets, the found rate is one that passed.
      assert.equal(size.trials[0]!.rate_mbps, MAX_RATE_MBPS);
      assert.equal(size.trials[0]!.verdict, 'loss');
      assert.ok(size.trials.some((t) => t.verdict === 'pass' && t.rate_mbps === found));
      assert.ok(size.hi_mbps! - size.lo_mbps <= resolution + 1e-6);
    }
    console.log(`      found: ${search.sizes.map((s) => `${s.size} B ${s.throughput_mbps} Mbit/s (limit ${expectedMbps(s.size).toFixed(2)}, ${s.trials.length} trials)`).join('; ')}`);
    const csv = await cli('status', '--searches', '--csv');
    assert.equal(csv.exitCode, 0, csv.stderr);
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows[0], 'search,size,size_state,throughput_mbps,throughput_mpps,trial,job_id,rate_mbps,rate_mpps,verdict,loss_pct,tx_mbps,reason');
    assert.equal(rows.length - 1, search.sizes.reduce((n, s) => n + s.trials.length, 0), 'one row per trial');
    assert.ok(rows.some((row) => row.startsWith(`${search.id},512,done,${search.sizes[1]!.throughput_mbps},`)));
    const table = await cli('status', '--searches');
    assert.match(table.stdout, new RegExp(`^${search.id} +1518 +done +- +${search.sizes[2]!.throughput_mbps} `, 'm'));
  });

  it('resumes a search after the scheduler is killed (-9) mid-search: no trial restarted from scratch, none run twice', async () => {
    let schedule = scheduler();
    await waitForOutput(schedule, /pktgen scheduler listening on/);
    const started = await cli('submit', '--search', 'throughput', '--node', 'm0', '--target', 'm1', '--sizes', '512', '--trial', '2s',
      '--max-loss', MAX_LOSS, '--resolution', '2%', '--max-rate', `${MAX_RATE_MBPS}M`, '--json');
    assert.equal(started.exitCode, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { search: SearchJson }).search.id;
    // Killed once two trials are saved and a later one is out on m0.
    await waitForSearch(id, 60_000, (s) => s.sizes[0]!.trials.length >= 2);
    const inFlight = await waitForOpenTrial(id, 30_000);
    // Trials before the one out were saved before it was queued: these a restart must keep as they are.
    const index = Number(inFlight.slice(id.length + 1));
    const saved = (await searches()).find((s) => s.id === id)!.sizes[0]!.trials.slice(0, index);
    assert.equal(saved.length, index);
    schedule.kill('SIGKILL');
    await schedule;
    schedulers.splice(schedulers.indexOf(schedule), 1);
    // While it is down, the running trial ends on m0; its result waits in m0's outbox.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    schedule = scheduler();
    await waitForOutput(schedule, /pktgen scheduler listening on/);
    const after = await waitForSearch(id, 120_000, (s) => s.state === 'done');
    const trials = after.sizes[0]!.trials;
    assert.deepEqual(trials.slice(0, index), saved, 'the saved trials are kept, not run again');
    assert.deepEqual(trials.map((t) => t.job_id), trials.map((_, i) => `${id}t${i}`), 'each trial once, in order');
    const status = await cli('status', '--json');
    const jobs = (JSON.parse(status.stdout) as { jobs: Array<{ id: string; attempts: number; state: string; search?: string }> }).jobs.filter((j) => j.search === id);
    assert.equal(jobs.length, trials.length);
    for (const job of jobs) assert.equal(job.attempts, 1, `${job.id} ran ${job.attempts} times`);
    assert.ok(trials.some((t) => t.job_id === inFlight), 'the trial in flight at the kill counts once');
    assert.equal(after.sizes[0]!.state, 'done');
    const found = after.sizes[0]!.throughput_mbps!;
    assert.ok(found <= expectedMbps(512) * 1.045 + 0.64 && found >= expectedMbps(512) * 0.92 - 0.64, `found ${found} Mbit/s`);
  });
});
