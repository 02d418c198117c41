import assert from 'node:assert/strict';
import { runTui } from '../../src/tui/run.js';
import { FakeBackend } from './fake-backend.js';
import { FakePipe, FakeTtyIn, FakeTtyOut } from './fake-tty.js';
import { busySnapshot, job, node, snapshot } from './fixtures.js';
import { plain, waitFor } from './helpers.js';

type Streams = { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };
const streams = (stdin: object, stdout: object, stderr: object): Streams => ({ stdin, stdout, stderr }) as unknown as Streams;

describe('tui/run runTui without a terminal', () => {
  it('prints plain lines: the totals, one line per event, the totals at the end', async () => {
    const backend = new FakeBackend(snapshot([node('m0')], [job('j1', 'm0')]));
    const [stdout, stderr] = [new FakePipe(), new FakePipe()];
    const stop = new AbortController();
    const done = runTui(backend, { ...streams(new FakeTtyIn(), stdout, stderr), pollMs: 5, signal: stop.signal });
    await waitFor(() => stdout.output.includes('watching'), 'the first line');
    backend.current = snapshot([node('m0', { running_job: 'j1', progress: 0.1 })], [job('j1', 'm0', { state: 'running' })]);
    await waitFor(() => stdout.output.includes('j1 started on m0'), 'the event');
    backend.current = snapshot([node('m0', { health: 'down', done: 1 })], [job('j1', 'm0', { state: 'failed', reason: 'emitter exited 3' })]);
    await waitFor(() => stdout.output.includes('j1 failed'), 'the second event');
    stop.abort();
    await done;
    const lines = stdout.output.trimEnd().split('\n').map((line) => line.replace(/^\d\d:\d\d:\d\d /, ''));
    assert.deepEqual(lines, [
      'watching fake scheduler: 1 node: 1 up · 0 running · 0 pending · 0 done · 0 failed',
      'j1 started on m0',
      'warn: node m0 down',
      'error: j1 failed on m0: emitter exited 3',
      '1 node: 0 up, 1 down · 0 running · 0 pending · 1 done · 0 failed',
    ]);
    assert.equal(stderr.output, '');
    assert.doesNotMatch(stdout.output, /\u001B/, 'no escape sequences');
  });

  it('reports an unreachable scheduler once on stderr, and its return', async () => {
    const backend = new FakeBackend(snapshot([node('m0')]));
    backend.failWith = new Error('connect ECONNREFUSED 127.0.0.1:1801');
    const [stdout, stderr] = [new FakePipe(), new FakePipe()];
    const stop = new AbortController();
    const done = runTui(backend, { ...streams(new FakeTtyIn(), stdout, stderr), pollMs: 2, signal: stop.signal });
    await waitFor(() => backend.snapshots >= 5, 'several polls');
    backend.failWith = undefined;
    await waitFor(() => stdout.output.includes('scheduler reachable again'), 'the first snapshot');
    stop.abort();
    await done;
    assert.match(stderr.output, /^\d\d:\d\d:\d\d error: cannot read the scheduler's state: connect ECONNREFUSED 127\.0\.0\.1:1801\n$/);
  });

  it('uses plain lines when interactive is false, even on a terminal', async () => {
    const stdout = new FakeTtyOut();
    const stop = new AbortController();
    const done = runTui(new FakeBackend(snapshot([node('m0')])), { ...streams(new FakeTtyIn(), stdout, new FakePipe()), pollMs: 5, interactive: false, signal: stop.signal });
    await waitFor(() => stdout.output.includes('watching'), 'the first line');
    stop.abort();
    await done;
    assert.doesNotMatch(stdout.output, /\u001B/);
  });
});

describe('tui/run runTui on a terminal', () => {
  it('asks before quitting with jobs running, then leaves the terminal clean', async () => {
    const [stdin, stdout] = [new FakeTtyIn(), new FakeTtyOut()];
    const done = runTui(new FakeBackend(busySnapshot()), { ...streams(stdin, stdout, new FakePipe()), pollMs: 5 });
    await waitFor(() => plain(stdout.output).includes('127.0.0.1:1729'), 'the table');
    stdin.type('q');
    await waitFor(() => plain(stdout.output).includes('Quit anyway?'), 'the question');
    stdin.type('y');
    await done;
    assert.equal(stdin.rawModes.at(-1), false, 'raw mode off');
    const out = stdout.output;
    assert.ok(out.includes('\u001B[?1049h') && out.lastIndexOf('\u001B[?1049l') > out.lastIndexOf('\u001B[?1049h'), 'alternate screen left');
    assert.ok(out.lastIndexOf('\u001B[?25h') > out.lastIndexOf('\u001B[?25l'), 'cursor shown');
    assert.match(out, /pktgen: 3 nodes: 2 up, 1 down, 1 paused · 1 running · 10 pending · 6 done · 1 failed · 19\.8 Mbit\/s\n$/);
  });

  it('stops when its signal aborts, leaving the terminal clean', async () => {
    const [stdin, stdout] = [new FakeTtyIn(), new FakeTtyOut()];
    const stop = new AbortController();
    const done = runTui(new FakeBackend(snapshot([node('m0')])), { ...streams(stdin, stdout, new FakePipe()), pollMs: 5, signal: stop.signal });
    await waitFor(() => plain(stdout.output).includes('m0'), 'the table');
    stop.abort();
    await done;
    assert.equal(stdin.rawModes.at(-1), false);
    assert.ok(stdout.output.lastIndexOf('\u001B[?25h') > stdout.output.lastIndexOf('\u001B[?25l'));
  });
});
