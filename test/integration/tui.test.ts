import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUdpReceiver, type UdpReceiver } from '../helpers/udp-receiver.js';
import { PKTGEN, freePort, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';
import { testKeyFile } from '../helpers/key.js';
import { TmuxSession, cell } from '../helpers/tmux.js';

const job = (node: string, m: number) => ({ nodes: [node], priority: 1, data: { m, t: 1, w: 0, n: 1, s_min: 200, s_max: 0, r: false, l: false } });

describe('pktgen schedule -i (built binary in a real terminal, tmux) with real pktgen serve nodes', function () {
  this.timeout(120_000);
  let dir: string;
  let receiver: UdpReceiver;
  let tmux: TmuxSession | undefined;
  const nodes: Array<ReturnType<typeof spawnPktgen>> = [];

  before(async function () {
    if (!TmuxSession.available()) this.skip();
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-tui-'));
    receiver = await startUdpReceiver();
  });
  after(async () => {
    tmux?.kill();
    for (const node of nodes) node.kill('SIGTERM');
    await Promise.all(nodes);
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows each node, counts jobs down and up as they run, takes jobs from keys and the command line, and quits cleanly', async () => {
    const schedulerPort = await freePort();
    const entries: Array<{ name: string; ip: string; port: number }> = [];
    for (const name of ['m0', 'm1']) {
      const port = await freePort();
      const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', name, '--scheduler-port', String(schedulerPort), '--target', receiver.target, '--reflect-port', '0']);
      nodes.push(serve);
      await waitForOutput(serve, /listening on/);
      entries.push({ name, ip: '127.0.0.1', port });
    }
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: entries }));
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify({ jobs: [job('m0', 5), job('m0', 6), job('m0', 7), job('m1', 8), job('m1', 9)] }));
    tmux = new TmuxSession(`pktgen-tui-${process.pid}`);
    tmux.type(`PKTGEN_CACHE_DIR=/tmp/pktgen-test-cache PKTGEN_KEY_FILE=${testKeyFile()} ${PKTGEN} schedule -i -n ${dir}/nodes.json -j ${dir}/jobs.json --host 127.0.0.1 --port ${schedulerPort} --control-port 0 --state-dir ${dir}/state; stty -a > ${dir}/stty.txt`, true);

    const first = await tmux.waitFor('both nodes on screen', (l) => l.some((x) => x.includes(`127.0.0.1:${entries[0]!.port}`)) && l.some((x) => x.includes(`127.0.0.1:${entries[1]!.port}`)));
    assert.ok(first.some((l) => /\bm0\b/.test(l)) && first.some((l) => /\bm1\b/.test(l)));
    const pendingAtStart = Number(cell(first, 'm0', 'PEND'));
    assert.ok(pendingAtStart >= 1, `m0 pending at start: ${pendingAtStart}`);
    await tmux.waitFor('m0 pending to go down', (l) => Number(cell(l, 'm0', 'PEND')) < pendingAtStart);
    await tmux.waitFor('m0 done 3 and m1 done 2', (l) => cell(l, 'm0', 'DONE') === '3' && cell(l, 'm1', 'DONE') === '2');

    // m0 is selected first: `a` opens the command line with "add_job m0 ".
    tmux.type('a');
    await tmux.waitFor('the add-job line', (l) => l.some((x) => x.includes('add_job m0')));
    tmux.type('{"m": 4, "t": 1, "s_min": 128}', true);
    await tmux.waitFor('m0 done 4', (l) => cell(l, 'm0', 'DONE') === '4');

    tmux.resize(60, 20);
    const narrow = await tmux.waitFor('the view redrawn for 60 columns', (l) => l.some((x) => x.includes('NODE')) && !l.some((x) => x.includes('ADDRESS') && x.includes('LAST')));
    assert.ok(narrow.some((l) => /\bm1\b/.test(l)), narrow.join('\n'));
    tmux.resize(80, 24);

    tmux.type(':');
    tmux.type('add_job m1 {"m": 3, "t": 1, "s_min": 64}', true);
    await tmux.waitFor('m1 done 3', (l) => cell(l, 'm1', 'DONE') === '3');

    tmux.type('q');
    await tmux.waitFor('the shell after quitting', () => {
      try {
        return readFileSync(join(dir, 'stty.txt'), 'utf8').length > 0;
      } catch {
        return false;
      }
    });
    const stty = readFileSync(join(dir, 'stty.txt'), 'utf8');
    assert.match(stty, /(^|\s)icanon(\s|$)/, 'terminal left in raw mode');
    assert.match(stty, /(^|\s)echo(\s|$)/, 'terminal left without echo');
    assert.equal(tmux.display('#{cursor_flag}'), '1', 'cursor left hidden');
    assert.equal(tmux.display('#{alternate_on}'), '0', 'alternate screen left on');
  });

  it('status --watch, a viewer, quits on a single q while a job runs, and says when the scheduler stopped answering', async () => {
    tmux?.kill();
    const [statusPort, controlPort] = [await freePort(), await freePort()];
    const port = await freePort();
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', 'w0', '--scheduler-port', String(statusPort), '--target', receiver.target, '--reflect-port', '0']);
    nodes.push(serve);
    await waitForOutput(serve, /listening on/);
    writeFileSync(join(dir, 'watch-nodes.json'), JSON.stringify({ nodes: [{ name: 'w0', ip: '127.0.0.1', port }] }));
    // A 60 s job at 1 Mbit/s to the test's receiver, running the whole time the viewer is up (it ends
    // with the node, in after()), and one waiting behind it: schedule -i would ask before quitting.
    writeFileSync(join(dir, 'watch-jobs.json'), JSON.stringify({ jobs: [{ ...job('w0', 1), data: { ...job('w0', 1).data, t: 60 } }, job('w0', 1)] }));
    const scheduler = spawnPktgen(['schedule', '-n', join(dir, 'watch-nodes.json'), '-j', join(dir, 'watch-jobs.json'), '--host', '127.0.0.1', '--port', String(statusPort), '--control-port', String(controlPort), '--state-dir', join(dir, 'watch-state')]);
    try {
      await waitForOutput(scheduler, /listening on/);
      tmux = new TmuxSession(`pktgen-watch-${process.pid}`);
      const done = join(dir, 'watch-done.txt');
      tmux.type(`PKTGEN_KEY_FILE=${testKeyFile()} ${PKTGEN} status --watch --scheduler 127.0.0.1:${controlPort}; echo "exit $?" > ${done}`, true);
      await tmux.waitFor('w0 running its job', (l) => l.some((x) => /\bw0\b.*\bbusy\b/.test(x)));

      // The scheduler stops answering: the title says since when; the last table stays.
      scheduler.kill('SIGSTOP');
      const lost = await tmux.waitFor('the disconnected title', (l) => /disconnected since \d\d:\d\d:\d\d/.test(l[0] ?? ''));
      assert.ok(lost.some((x) => /\bw0\b/.test(x)), lost.join('\n'));
      scheduler.kill('SIGCONT');
      const back = await tmux.waitFor('the title once it answers again', (l) => !(l[0] ?? '').includes('disconnected') && (l[0] ?? '').includes('pktgen'));
      assert.ok(back.some((x) => /\bw0\b.*\bbusy\b/.test(x)), `w0 still runs its job:\n${back.join('\n')}`);

      tmux.type('q');
      await tmux.waitFor('the shell after a single q', () => {
        try {
          return readFileSync(done, 'utf8').length > 0;
        } catch {
          return false;
        }
      });
      assert.equal(readFileSync(done, 'utf8').trim(), 'exit 0');
      assert.ok(!tmux.screen().some((x) => x.includes('Quit anyway?')));
    } finally {
      scheduler.kill('SIGCONT');
      scheduler.kill('SIGTERM');
      await scheduler;
    }
  });
});
