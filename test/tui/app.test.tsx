import assert from 'node:assert/strict';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../src/tui/app.js';
import type { Snapshot } from '../../src/protocol/view.js';
import { FakeBackend } from './fake-backend.js';
import { busySnapshot, job, node, snapshot } from './fixtures.js';
import { KEY, plain, waitFor } from './helpers.js';

/** Renders the App on a fake backend and waits for its first snapshot. */
async function start(snap: Snapshot, size = { columns: 80, rows: 24 }, props: Partial<AppProps> = {}) {
  const backend = new FakeBackend(snap);
  const ui = render(<App backend={backend} pollMs={10} size={size} {...props} />);
  const frame = (): string => plain(ui.lastFrame());
  await waitFor(() => frame().includes(snap.nodes[0]?.name ?? 'no nodes'), 'the first snapshot');
  const press = async (keys: string, until: (text: string) => boolean, what: string): Promise<string> => {
    ui.stdin.write(keys);
    return waitFor(() => (until(frame()) ? frame() : ''), what);
  };
  return { backend, ui, frame, press };
}

describe('tui/app App', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('shows every node with its address, state and counts', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    const text = app.frame();
    assert.match(text, /› m0 +127\.0\.0\.1:1729 up +busy +3 █+░+ +47% +19\.8 +4 +1/);
    assert.match(text, /  m2 +10\.0\.0\.12:1729 down idle +5/);
    assert.match(text, /3 nodes \(2 up, 1 down, 1 paused\)/);
    assert.ok(text.split('\n').length <= 23, 'fits 24 rows with one to spare');
  });

  it('moves the selection with the arrow keys and j/k', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press(KEY.down, (t) => t.includes('› m1'), 'm1 selected');
    await app.press('j', (t) => t.includes('› m2'), 'm2 selected');
    await app.press(KEY.up, (t) => t.includes('› m1'), 'back to m1');
    await app.press('k', (t) => t.includes('› m0'), 'back to m0');
  });

  it('scrolls many nodes, keeping the selection visible', async () => {
    const app = await start(snapshot(Array.from({ length: 40 }, (_, i) => node(`node-${i}`))));
    unmount = app.ui.unmount;
    assert.match(app.frame(), /nodes 1-10 of 40/);
    const text = await app.press('G', (t) => t.includes('› node-39'), 'the last node');
    assert.match(text, /nodes 31-40 of 40/);
    assert.doesNotMatch(text, /node-5 /);
  });

  it('a + a job + Enter adds the job to the selected node', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press(KEY.down, (t) => t.includes('› m1'), 'm1 selected');
    await app.press('a', (t) => t.includes(': add_job m1 █'), 'the prefilled command line');
    app.ui.stdin.write('{"m": 50, "t": 5, "s_min": 128} 2');
    await app.press(KEY.enter, (t) => t.includes('queued jnew'), 'the answer');
    assert.deepEqual(app.backend.calls, [{
      method: 'addJobs',
      jobs: [{ json: JSON.stringify({ nodes: ['m1'], data: { m: 50, t: 5, s_min: 128 }, priority: 2 }), where: 'add_job', all_nodes: false }],
    }]);
  });

  it('keeps a wrong command on the line with a one-line error', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press('a', (t) => t.includes(': add_job m0 █'), 'the command line');
    const text = await app.press('{"m": 20, "t": 30}\r', (t) => t.includes('s_min is missing'), 'the error');
    assert.match(text, /add_job: s_min is missing: expected an integer frame size 64\.\.9000/);
    assert.match(text, /: add_job m0 \{"m": 20, "t": 30\}/);
    assert.deepEqual(app.backend.calls, []);
  });

  it('takes the old prompt verbs on the command line', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press(':', (t) => t.includes('Enter runs the command'), 'the command line');
    await app.press('add_node m3 127.0.0.1:1740\r', (t) => t.includes('added m3'), 'the answer');
    assert.deepEqual(app.backend.calls, [{ method: 'addNodes', nodes: [{ name: 'm3', host: '127.0.0.1', port: 1740, reflector: '', legacy: false }] }]);
  });

  it('c asks before it cancels the running job, then cancels the next pending one at once', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    const asked = await app.press('c', (t) => t.includes('Cancel j0a1b2c3d4e5f?'), 'the question');
    assert.match(asked, /j0a1b2c3d4e5f is running on m0\./);
    assert.match(asked, /Cancel j0a1b2c3d4e5f\? y = cancel it, n = keep it running/);
    assert.deepEqual(app.backend.calls, [], 'nothing cancelled before the answer');
    await app.press('y', (t) => t.includes('cancelling j0a1b2c3d4e5f'), 'the answer');
    const idle = busySnapshot();
    idle.nodes[0]!.running_job = '';
    idle.jobs = idle.jobs.filter((j) => j.state !== 'running');
    app.backend.current = idle;
    await waitFor(() => !app.frame().includes('47%'), 'the job gone');
    await app.press('c', (t) => t.includes('cancelling j555555555555'), 'the second answer');
    assert.deepEqual(app.backend.calls, [{ method: 'cancel', jobId: 'j0a1b2c3d4e5f' }, { method: 'cancel', jobId: 'j555555555555' }]);
  });

  it('n to the cancel question keeps the running job', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press('c', (t) => t.includes('Cancel j0a1b2c3d4e5f?'), 'the question');
    const kept = await app.press('n', (t) => t.includes('j0a1b2c3d4e5f keeps running on m0'), 'the answer');
    assert.doesNotMatch(kept, /Cancel j0a1b2c3d4e5f\?/);
    assert.deepEqual(app.backend.calls, []);
  });

  it('says "disconnected since" and dims the last table while the scheduler does not answer, until it does', async () => {
    const lostAt = new Date(2026, 10, 30, 14, 3, 9).getTime();
    // Ink colors through chalk, which sees the test's fake stdout as a terminal without colors.
    const level = chalk.level;
    chalk.level = 1;
    const app = await start(busySnapshot(), undefined, { now: () => lostAt });
    unmount = () => {
      app.ui.unmount();
      chalk.level = level;
    };
    const dim = '\u001B[2m';
    assert.ok(!(app.ui.lastFrame() ?? '').includes(dim + '  m2'), 'not dimmed while connected');
    app.backend.failWith = new Error('cannot reach a scheduler at 127.0.0.1:1801');
    const lost = await waitFor(() => (app.frame().includes('disconnected since') ? app.frame() : ''), 'the disconnected header');
    assert.match(lost.split('\n')[0]!, /^pktgen · fake scheduler · disconnected since 14:03:09/);
    // The last answer stays, dimmed: the rows are there, drawn faint.
    assert.match(lost, /  m2 +10\.0\.0\.12:1729 down idle +5/);
    const raw = app.ui.lastFrame() ?? '';
    assert.ok(raw.includes(`${dim}  m2`), `m2's row dimmed: ${JSON.stringify(raw.split('\n').find((l) => l.includes('m2')))}`);
    app.backend.failWith = undefined;
    const back = await waitFor(() => (!app.frame().includes('disconnected') ? app.frame() : ''), 'the header after reconnecting');
    assert.match(back.split('\n')[0]!, /^pktgen · fake scheduler +\? help$/);
    assert.ok(!(app.ui.lastFrame() ?? '').includes(`${dim}  m2`), 'not dimmed once it answers');
  });

  it('a viewer (status --watch) quits on a single q, while jobs run', async () => {
    const app = await start(busySnapshot(), undefined, { quitStopsJobs: false });
    unmount = app.ui.unmount;
    app.ui.stdin.write('q');
    // Ink clears its output when the app exits.
    await waitFor(() => app.ui.lastFrame() === '', 'the app to end');
    const polls = app.backend.snapshots;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(app.backend.snapshots, polls, 'no polls after quitting (every 10 ms before)');
    assert.ok(!app.ui.frames.some((frame) => plain(frame).includes('Quit anyway?')), 'no question asked');
  });

  it('p pauses a running queue and resumes a paused one', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press('p', (t) => t.includes('m0 paused'), 'the answer');
    await app.press(KEY.down, (t) => t.includes('› m1'), 'm1 selected');
    await app.press('p', (t) => t.includes('m1 resumed'), 'the second answer');
    assert.deepEqual(app.backend.calls, [{ method: 'setPaused', node: 'm0', paused: true }, { method: 'setPaused', node: 'm1', paused: false }]);
  });

  it('shows what the backend refused', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    app.backend.failWith = new Error('node m0: no such node');
    await app.press('p', (t) => t.includes('pause: node m0: no such node'), 'the error');
  });

  it('q asks first while jobs run; n stays', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    const text = await app.press('q', (t) => t.includes('Quit anyway?'), 'the question');
    assert.match(text, /1 job running, 10 pending\./);
    await app.press('n', (t) => !t.includes('Quit anyway?'), 'the question gone');
  });

  it('? shows the help, any key closes it', async () => {
    const app = await start(busySnapshot());
    unmount = app.ui.unmount;
    await app.press('?', (t) => t.includes('add_node NAME HOST[:PORT] [PORT]'), 'the help');
    await app.press('x', (t) => t.includes('› m0'), 'the table again');
  });

  it('fits a 40-column terminal', async () => {
    const app = await start(busySnapshot(), { columns: 40, rows: 16 });
    unmount = app.ui.unmount;
    for (const line of app.frame().split('\n')) assert.ok(line.length <= 40, line);
    assert.match(app.frame(), /› m0 +up +busy +3 █+░+ +47% +4/);
  });

  it('shows an idle node and the empty results', async () => {
    const app = await start(snapshot([node('m0')], [job('j1', 'm0')]));
    unmount = app.ui.unmount;
    assert.match(app.frame(), /› m0 +127\.0\.0\.1:1729 up +idle +0/);
    assert.match(app.frame(), /no finished jobs yet/);
  });
});
