import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, waitForOutput, waitResult } from '../helpers/binary.js';

// One-way figures end to end (issue 12, item 2): the built binary's schedule, serve and submit in one
// network namespace (A), the reflector of a second node in another (B), joined by a veth pair. The
// forward path A -> B is made lossy by an nftables rule on B's input, or slow and jittery by a UDP
// relay in B; the return path stays clean. Needs root, iproute2 and nftables; skipped otherwise.

interface Delay { p50: number; samples: number }
interface OneWayJson {
  answered: number; fwd_loss: number | null; ret_loss: number | null; fwd_sent: number | null; fwd_received: number | null;
  reflector_dropped: number | null; fwd_jitter_us: number | null; ret_jitter_us: number | null;
  fwd_delay_us: Delay | null; ret_delay_us: Delay | null; note: string;
}
interface JobJson { id: string; state: string; reason: string; stats: { tx_packets: number; loss_ratio: number | null; one_way: OneWayJson | null } | null }

const tag = `${process.pid % 100000}`;
const nsA = `pgt-ow-a-${tag}`;
const nsB = `pgt-ow-b-${tag}`;
const vethA = `pgoa${tag}`;
const vethB = `pgob${tag}`;
const addrA = '198.18.0.1';
const addrB = '198.18.0.2';
const relayScript = fileURLToPath(new URL('../helpers/delay-relay.ts', import.meta.url));

const sh = async (args: string[], timeout = 10_000) => execa(args[0]!, args.slice(1), { reject: false, timeout });
const inNs = (ns: string, args: string[]) => ['ip', 'netns', 'exec', ns, ...args];

async function removeNamespaces(): Promise<void> {
  // Deleting a namespace deletes its veth end (and with it the pair) and its nftables tables.
  await sh(['ip', 'netns', 'del', nsA]);
  await sh(['ip', 'netns', 'del', nsB]);
}

async function makeNamespaces(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root';
  if ((await sh(['sh', '-c', 'command -v nft'])).exitCode !== 0) return 'nft (nftables) is not installed';
  const steps = [
    ['ip', 'netns', 'add', nsA],
    ['ip', 'netns', 'add', nsB],
    ['ip', 'link', 'add', vethA, 'netns', nsA, 'type', 'veth', 'peer', 'name', vethB, 'netns', nsB],
    ['ip', '-n', nsA, 'addr', 'add', `${addrA}/30`, 'dev', vethA],
    ['ip', '-n', nsB, 'addr', 'add', `${addrB}/30`, 'dev', vethB],
    ['ip', '-n', nsA, 'link', 'set', vethA, 'up'],
    ['ip', '-n', nsB, 'link', 'set', vethB, 'up'],
    ['ip', '-n', nsA, 'link', 'set', 'lo', 'up'],
    ['ip', '-n', nsB, 'link', 'set', 'lo', 'up'],
  ];
  for (const step of steps) {
    const r = await sh(step).catch((error: Error) => ({ exitCode: -1, stderr: error.message }));
    if (r.exitCode !== 0) return `${step.join(' ')}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`;
  }
  return undefined;
}

/** The expected RFC 3550 jitter of independent delays drawn uniformly from a list: E|X - Y|. */
function expectedJitterUs(delaysMs: number[]): number {
  let sum = 0;
  for (const x of delaysMs) for (const y of delaysMs) sum += Math.abs(x - y);
  return (sum / delaysMs.length ** 2) * 1000;
}

describe('one-way figures through a reflector in another namespace (built binaries; root, nftables)', function () {
  this.timeout(180_000);
  let dir: string;
  let control: string;
  let reflectPort: number;
  let droppingPort: number;
  const children: ResultPromise[] = [];
  const output: string[] = [];

  const start = (args: string[], env: Record<string, string> = {}): ResultPromise => {
    const child = execa(args[0]!, args.slice(1), { reject: false, all: true, env: pktgenEnv(env), timeout: 170_000 });
    children.push(child);
    child.all?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return child;
  };
  const cli = async (...args: string[]) => {
    const [command, ...rest] = inNs(nsA, [PKTGEN, ...args, '--scheduler', control]);
    const result = await execa(command!, rest, { reject: false, env: pktgenEnv(), timeout: 120_000 });
    output.push(result.stdout, result.stderr);
    return result;
  };
  /** 20,000 packets of 200 bytes at 2,500 packets/s (4 Mbit/s), stamped: enough for stable shares. */
  const submit = async (target: string, duration = '8'): Promise<JobJson> => {
    const result = await cli('submit', '--node', 'm0', '--target', target, '--rate', '4', '--duration', duration, '--size', '200', '--latency', '--wait', '--json');
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
    const job = waitResult<{ jobs: JobJson[] }>(result.stdout).jobs[0]!;
    assert.equal(job.state, 'succeeded', job.reason);
    assert.ok(job.stats!.one_way, `one_way in the result: ${JSON.stringify(job.stats)}`);
    return job;
  };

  before(async function () {
    requireBinary();
    await removeNamespaces();
    const why = await makeNamespaces();
    if (why) {
      await removeNamespaces();
      console.log(`      skipped: cannot set up the test namespaces here (${why}); run as root with iproute2 and nftables`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'pktgen-oneway-'));
    // Ports inside fresh namespaces are all free; these only need to differ from each other.
    const [nodePort, schedulerPort, controlPort] = [await freePort(), await freePort(), await freePort()];
    reflectPort = await freePort();
    control = `127.0.0.1:${controlPort}`;
    // Node m1 in B: only its reflector matters here.
    const m1 = start(inNs(nsB, [PKTGEN, 'serve', '--host', addrB, '--port', String(nodePort), '--name', 'm1', '--reflect-port', String(reflectPort),
      '--allow-target', '198.18.0.0/15']));
    await waitForOutput(m1, /reflector listening on/);
    // Node m2 in B: a reflector that drops one echo in 20 itself, as an overloaded one would.
    droppingPort = await freePort();
    const m2 = start(inNs(nsB, [PKTGEN, 'serve', '--host', addrB, '--port', String(await freePort()), '--name', 'm2', '--reflect-port', String(droppingPort),
      '--allow-target', '198.18.0.0/15', '--reflect-drop-every', '20']));
    await waitForOutput(m2, /reflector listening on/);
    const m0 = start(inNs(nsA, [PKTGEN, 'serve', '--host', '127.0.0.1', '--port', String(nodePort), '--name', 'm0',
      '--scheduler-port', String(schedulerPort), '--allow-target', '198.18.0.0/15', '--reflect-port', '0']));
    await waitForOutput(m0, /pktgen node .* listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }] }));
    const schedule = start(inNs(nsA, [PKTGEN, 'schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]));
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    await removeNamespaces();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(output.join('').split('\n').slice(-60).join('\n'));
  });

  it('5 % dropped on the forward path only (nftables numgen on B\'s input): forward loss 5 % +- 1.5, return loss < 0.5 %; status shows both', async () => {
    const rule = ['nft', 'add', 'rule', 'inet', 'pgtow', 'in', 'udp', 'dport', String(reflectPort), 'numgen', 'random', 'mod', '100', '<', '5', 'drop'];
    for (const step of [['nft', 'add', 'table', 'inet', 'pgtow'], ['nft', 'add', 'chain', 'inet', 'pgtow', 'in', '{ type filter hook input priority 0 ; }'], rule]) {
      const r = await sh(inNs(nsB, step));
      assert.equal(r.exitCode, 0, `${step.join(' ')}: ${String(r.stderr)}`);
    }
    try {
      const job = await submit(`${addrB}:${reflectPort}`);
      const ow = job.stats!.one_way!;
      assert.ok(job.stats!.tx_packets >= 19_000, `tx_packets ${job.stats!.tx_packets}`);
      assert.ok(Math.abs(ow.fwd_loss! * 100 - 5) <= 1.5, `forward loss ${(ow.fwd_loss! * 100).toFixed(2)} %, expected 5 +- 1.5`);
      assert.ok(ow.ret_loss! * 100 < 0.5, `return loss ${(ow.ret_loss! * 100).toFixed(2)} %, expected < 0.5`);
      assert.equal(ow.reflector_dropped, 0);
      // The round trip loses what the forward path lost.
      assert.ok(Math.abs(job.stats!.loss_ratio! - ow.fwd_loss!) < 0.005, `round-trip loss ${job.stats!.loss_ratio}`);
      // Both namespaces run on this kernel: one clock, so the delays are there too.
      assert.ok(ow.fwd_delay_us && ow.fwd_delay_us.samples > 0 && ow.ret_delay_us, `delays: ${ow.note}`);
      const detail = (await cli('status', job.id)).stdout;
      assert.match(detail, /^stats\.one_way\.fwd_loss +0\.0\d+/m);
      assert.match(detail, /^stats\.one_way\.ret_loss +0(\.\d+)?$/m);
    } finally {
      await sh(inNs(nsB, ['nft', 'delete', 'table', 'inet', 'pgtow']));
    }
  });

  it('a reflector that drops echoes itself says so: its drops in the result, not forward or return loss', async () => {
    const job = await submit(`${addrB}:${droppingPort}`, '2');
    const ow = job.stats!.one_way!;
    assert.ok(Math.abs(ow.reflector_dropped! - ow.fwd_received! / 20) <= 2, `reflector_dropped ${ow.reflector_dropped} of ${ow.fwd_received}`);
    assert.equal(ow.fwd_loss, 0);
    assert.ok(ow.ret_loss! < 0.005, `return loss ${ow.ret_loss}`);
    assert.ok(Math.abs(job.stats!.loss_ratio! - 0.05) < 0.005, `round-trip loss ${job.stats!.loss_ratio}: the drops, nothing else`);
  });

  it('a relay delaying forward packets by 1 ms +- 1 ms: forward jitter within 50 % of what the relay induced, return jitter far smaller', async () => {
    const delaysMs = [0, 1, 2];
    const relayPort = await freePort();
    // The relay runs at a real-time priority (the test is root): on a loaded machine, time-sharing
    // would add scheduling jitter to both directions and blur the forward/return contrast measured here.
    const relay = start(inNs(nsB, ['chrt', '-f', '10', process.execPath, '--import', 'tsx', relayScript, '--listen', `${addrB}:${relayPort}`,
      '--upstream', `${addrB}:${reflectPort}`, '--delays-ms', delaysMs.join(','), '--max-seconds', '120']));
    await waitForOutput(relay, /"listening"/);
    const job = await submit(`${addrB}:${relayPort}`);
    relay.kill('SIGTERM');
    const relayLine = String((await relay).stdout).split('\n').find((l) => l.includes('"relay"'));
    const induced = JSON.parse(relayLine!) as { forwarded: number; jitter_us: number; mean_delay_us: number };
    const ow = job.stats!.one_way!;
    const fwd = ow.fwd_jitter_us!;
    const ret = ow.ret_jitter_us!;
    console.log(`      relay: ${induced.forwarded} packets, induced jitter ${induced.jitter_us.toFixed(0)} us (uniform {${delaysMs}} ms: ${expectedJitterUs(delaysMs).toFixed(0)} us if timers were exact), ` +
      `mean delay ${induced.mean_delay_us.toFixed(0)} us; measured forward jitter ${fwd.toFixed(0)} us, return ${ret.toFixed(1)} us, forward delay p50 ${ow.fwd_delay_us?.p50} us`);
    assert.ok(induced.forwarded >= 19_000, `relay forwarded ${induced.forwarded}`);
    assert.ok(Math.abs(fwd - induced.jitter_us) <= 0.5 * induced.jitter_us, `forward jitter ${fwd} us vs ${induced.jitter_us} us induced`);
    assert.ok(ret < fwd / 2, `return jitter ${ret} us is not far below forward ${fwd} us`);
    // The forward delay is the relay's: about its mean hold.
    assert.ok(ow.fwd_delay_us && Math.abs(ow.fwd_delay_us.p50 - induced.mean_delay_us) < induced.mean_delay_us, `forward delay ${JSON.stringify(ow.fwd_delay_us)}`);
  });
});
