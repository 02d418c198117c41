import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';

/** What `pktgen status --json` prints, as far as this test reads it. */
interface StatusJson {
  jobs: Array<{ id: string; node: string; state: string; reason: string }>;
  store: { ok: boolean; problem?: string };
}

const FINAL = ['succeeded', 'failed', 'lost', 'cancelled'];
/** The state disk: small, so that one file fills it. */
const DISK = '2m';

/** Polls `check` every 200 ms until it returns a value; fails naming `what` after `timeoutMs`. */
async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** pktgen-emit processes whose command line sends to `target`: this test's helpers, alive or orphaned. */
function emittersFor(target: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('pktgen-emit') && argv.includes(target)) found.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

describe('fault: a full state disk (a tmpfs in a private mount namespace; built binaries, real nodes)', function () {
  this.timeout(240_000);
  let dir: string;
  let receiver: UdpReceiver | undefined;
  /** Holds the private mount namespace (and its tmpfs) while the schedulers in it come and go. */
  let holder: ResultPromise | undefined;
  const children: ResultPromise[] = [];

  before(function () {
    requireBinary();
    // Mounting a tmpfs takes CAP_SYS_ADMIN; the CI runs the suite as root.
    if (process.getuid?.() !== 0) this.skip();
  });
  after(async () => {
    // Each process this test started, by its own PID.
    // kill() on one that has ended already does nothing.
    for (const child of [...children, holder]) child?.kill('SIGKILL');
    await Promise.allSettled([...children, holder]);
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses what it cannot save and changes nothing, keeps serving status, loses and repeats nothing, and saves everything once there is room', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pktgen-full-disk-'));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    receiver = await startUdpReceiver();
    const schedulerPort = await freePort();
    const control = `127.0.0.1:${await freePort()}`;
    const nodeLogs: string[] = [];
    const nodes: Array<{ name: string; port: number; serve: ReturnType<typeof spawnPktgen> }> = [];
    for (const name of ['m0', 'm1']) {
      const port = await freePort();
      const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', name, '--scheduler-port', String(schedulerPort),
        '--target', receiver.target, '--reflect-port', '0']);
      children.push(serve);
      serve.all?.on('data', (chunk: Buffer) => nodeLogs.push(chunk.toString()));
      await waitForOutput(serve, /listening on/);
      nodes.push({ name, port, serve });
    }
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: nodes.map(({ name, port }) => ({ name, ip: '127.0.0.1', port })) }));
    const data = { m: 1, t: 2, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs: Array.from({ length: 12 }, (_, i) => ({ nodes: [`m${i % 2}`], priority: 0, data })) }));

    holder = execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${DISK},mode=0700 tmpfs "$0" && echo mounted && exec sleep 300`, mnt], { reject: false });
    await waitForOutput(holder, /mounted/);
    /** A command in the holder's mount namespace, where the tmpfs is. */
    const inside = (file: string, args: string[]) => execa('nsenter', ['-t', String(holder!.pid), '-m', '--', file, ...args], { reject: false, all: true, env: pktgenEnv() });
    const stateDir = join(mnt, 'state');
    const schedulerArgs = ['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort), '--control-port', control.split(':')[1]!, '--state-dir', stateDir];
    let schedulerLog = '';
    const scheduler = inside(PKTGEN, [...schedulerArgs, '-j', join(dir, 'jobs.json')]);
    children.push(scheduler);
    scheduler.all?.on('data', (chunk: Buffer) => (schedulerLog += chunk.toString()));
    await waitForOutput(scheduler, /queued 12 job/);

    const cli = (...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
    const status = async (): Promise<StatusJson> => {
      const result = await cli('status', '--json');
      assert.equal(result.exitCode, 0, `status --json failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as StatusJson;
    };
    const started = () => (nodeLogs.join('').match(/\bstarted job j[0-9a-f]+/g) ?? []).length;

    await poll('2 jobs done', async () => ((await status()).jobs.filter((j) => j.state === 'succeeded').length >= 2 ? true : undefined), 60_000);
    const fill = await inside('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=64k']);
    assert.match(fill.all ?? '', /No space left on device/, 'the disk is full');

    // A node's status arrives within a job's 2 s: its save fails, and status says so.
    const full = await poll('status to say the store fails', async () => {
      const now = await status();
      return now.store.ok ? undefined : now;
    }, 20_000);
    assert.match(full.store.problem!, /^cannot save its state since \S+ \(cannot save scheduler state to .*scheduler\.db: database or disk is full\); \d+ change\(s\) wait in memory/);
    const table = await cli('status');
    assert.equal(table.exitCode, 0, table.stderr);
    assert.match(table.stdout, /^warning: the scheduler cannot save its state since /);

    // A client that submits, is refused, and tries again: nothing of the refused requests is kept.
    const submitArgs = ['submit', '--node', 'm0', '--node', 'm1', '--rate', '1', '--duration', '1'];
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await cli(...submitArgs);
      assert.equal(refused.exitCode, 1, refused.stdout);
      assert.match(refused.stderr, /database or disk is full; nothing of this request was applied/);
      assert.equal((await status()).jobs.length, 12, 'the refused submit left no job behind');
    }
    // Nothing leaves the scheduler while its changes wait: the nodes get no new job.
    const startedWhileFull = started();
    await sleep(4000);
    assert.equal(started(), startedWhileFull, 'a job was sent while its sending could not be saved');
    assert.equal(schedulerLog.split('\n').filter((line) => / ERROR +(still )?cannot save scheduler state/.test(line)).length, 1, `logged once, not per attempt:\n${schedulerLog}`);

    assert.equal((await inside('rm', [join(mnt, 'fill')])).exitCode, 0);
    const accepted = await cli(...submitArgs);
    assert.equal(accepted.exitCode, 0, accepted.stderr);
    const added = accepted.stdout.trim().split('\n');
    assert.equal(added.length, 2);
    const done = await poll('every job final', async () => {
      const now = await status();
      return now.store.ok && now.jobs.length === 14 && now.jobs.every((j) => FINAL.includes(j.state)) ? now : undefined;
    }, 120_000);
    assert.match(schedulerLog, /scheduler state saved again after \d+ s of failed saves/);
    scheduler.kill('SIGTERM');
    assert.equal((await scheduler).exitCode, 0, schedulerLog);

    // What was saved: a scheduler started again on the same disk finds every job, each ended once.
    const again = inside(PKTGEN, schedulerArgs);
    children.push(again);
    await waitForOutput(again, /pktgen scheduler listening/);
    const saved = await status();
    assert.deepEqual(saved.jobs.map((j) => [j.id, j.state]), done.jobs.map((j) => [j.id, 'succeeded']));
    again.kill('SIGTERM');
    assert.equal((await again).exitCode, 0);
    for (const { serve } of nodes) serve.kill('SIGTERM');
    await Promise.all(nodes.map(({ serve }) => serve));

    const ids = done.jobs.map((j) => j.id);
    const starts = new Map<string, number>();
    for (const id of nodeLogs.join('').match(/\bstarted job (j[0-9a-f]+)/g) ?? []) starts.set(id.slice(12), (starts.get(id.slice(12)) ?? 0) + 1);
    const figures = {
      jobs: ids.length,
      ended: done.jobs.filter((j) => j.state === 'succeeded' || (FINAL.includes(j.state) && j.reason !== '')).length,
      lost: ids.filter((id) => starts.get(id) === undefined).length + done.jobs.filter((j) => j.state === 'lost').length,
      duplicated: [...starts.values()].filter((n) => n > 1).length + (new Set(ids).size === ids.length ? 0 : 1),
      orphans: emittersFor(receiver.target).length,
    };
    console.log(`      full disk: ${figures.jobs} jobs, ${figures.ended} ended, ${figures.lost} lost, ${figures.duplicated} duplicated, ${figures.orphans} orphans`);
    assert.deepEqual(figures, { jobs: 14, ended: 14, lost: 0, duplicated: 0, orphans: 0 });
    assert.deepEqual(done.jobs.map((j) => j.state), Array(14).fill('succeeded'));
    assert.ok(added.every((id) => ids.includes(id)), 'the accepted submit ran');
    assert.equal(starts.size, 14, 'every job ran at a node');
  });
});
