import assert from 'node:assert/strict';
import type { Snapshot } from '../../src/protocol/view.js';
import { initialUiState, clampScroll, type UiState } from '../../src/tui/ui-state.js';
import { buildView, layout, nodeRowText, type View } from '../../src/tui/view-model.js';
import { busySnapshot, job, node, snapshot, stats } from './fixtures.js';

const view = (snap: Snapshot, columns = 80, rows = 24, ui: Partial<UiState> = {}): View =>
  buildView({ snapshot: snap, ui: { ...initialUiState(), ...ui }, log: [], size: { columns, rows }, label: 'test' });
const row = (v: View, name: string): string => nodeRowText(v.nodes.find((r) => r.name === name)!);
/** The screen's lines as Screen lays them out, section padding aside. */
const screenLines = (v: View): string[] => [
  v.title, v.header, ...v.nodes.map(nodeRowText), v.totals,
  ...(v.results.rows > 0 ? [v.results.title, v.results.header, ...v.results.lines.map((l) => l.text)] : []),
  ...(v.events.rows > 0 ? [v.events.title, ...v.events.lines.map((l) => l.text)] : []),
  v.footer.notice?.text ?? '', v.footer.prompt,
];
const RTT = { min: 50, p25: 60, p50: 70, p75: 80, p90: 90, p95: 100, p99: 123.4, p999: 200, max: 300, mean: 75, std: 10, samples: 1000 };

describe('tui/view-model node rows', () => {
  const cases: Array<{ name: string; snap: Snapshot; columns?: number; node: string; shows: RegExp[]; hides?: RegExp[] }> = [
    { name: 'idle', snap: snapshot([node('m0')]), node: 'm0', shows: [/^› m0 +127\.0\.0\.1:1729 up +idle +0 +0 +0$/], hides: [/█/] },
    { name: 'busy with progress and live rate', snap: busySnapshot(), node: 'm0', shows: [/busy +3 █+░+ +47% +19\.8 +4 +1/] },
    { name: 'warming up', snap: snapshot([node('m0', { running_job: 'j1', progress: 0.05 })], [job('j1', 'm0', { state: 'running', data: { m: 20, t: 30, w: 3, n: 1, s_min: 64, s_max: 0, r: false, l: false } })]), node: 'm0', shows: [/░+ warm/] },
    { name: 'down', snap: busySnapshot(), node: 'm2', shows: [/m2 +10\.0\.0\.12:1729 down idle +5/] },
    { name: 'health not known yet', snap: snapshot([node('m0', { health: 'unknown' })]), node: 'm0', shows: [/ unknown idle/] },
    { name: 'paused', snap: busySnapshot(), node: 'm1', shows: [/up +paused +2/] },
    { name: 'last result in brief', snap: busySnapshot(), node: 'm1', shows: [/9\.98 Mb\/s$/] },
    {
      name: 'last result with loss and p99 on a wide terminal', columns: 120, node: 'm0',
      snap: snapshot([node('m0', { done: 1 })], [job('j1', 'm0', { state: 'succeeded', finished_at: 5, stats: stats({ rx_measured: true, loss_ratio: 0.0001, rtt_us: RTT }) })]),
      shows: [/20\.0 Mb\/s, loss 0\.010%, p99 123us$/],
    },
    { name: 'last result of a failed job', columns: 120, snap: busySnapshot(), node: 'm0', shows: [/failed: node shutting down$/] },
    { name: 'the running job id when there is room', columns: 100, snap: busySnapshot(), node: 'm0', shows: [/ j0a1b2c3d4e5f █/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const text = row(view(c.snap, c.columns), c.node);
      for (const re of c.shows) assert.match(text, re);
      for (const re of c.hides ?? []) assert.doesNotMatch(text, re);
    });
  }
});

describe('tui/view-model widths', () => {
  const cases: Array<{ columns: number; headers: string[]; dropped: string[] }> = [
    { columns: 100, headers: ['NODE', 'ADDRESS', 'LINK', 'STATE', 'PEND', 'JOB', 'PROGRESS', 'Mbit/s', 'DONE', 'FAIL', 'LAST'], dropped: [] },
    { columns: 80, headers: ['NODE', 'ADDRESS', 'LINK', 'STATE', 'PEND', 'PROGRESS', 'Mbit/s', 'DONE', 'FAIL', 'LAST'], dropped: ['JOB'] },
    { columns: 60, headers: ['NODE', 'ADDRESS', 'LINK', 'STATE', 'PEND', 'PROGRESS', 'DONE', 'FAIL'], dropped: ['JOB', 'Mbit/s', 'LAST'] },
    { columns: 40, headers: ['NODE', 'LINK', 'STATE', 'PEND', 'PROGRESS', 'DONE'], dropped: ['ADDRESS', 'FAIL'] },
  ];
  for (const c of cases) {
    it(`${c.columns} columns: keeps ${c.headers.length} columns and no line is wider`, () => {
      const v = view(busySnapshot(), c.columns);
      assert.deepEqual(v.header.trim().split(/\s+/), c.headers);
      for (const gone of c.dropped) assert.ok(!v.header.includes(gone), gone);
      for (const line of screenLines(v)) assert.ok(line.length <= c.columns, `${line.length} > ${c.columns}: ${line}`);
    });
  }
});

describe('tui/view-model height and scrolling', () => {
  const many = snapshot(Array.from({ length: 40 }, (_, i) => node(`node-${i}`, { port: 2000 + i })));
  const sizes: Array<[number, number, Snapshot]> = [[80, 24, busySnapshot()], [80, 24, many], [40, 12, busySnapshot()], [60, 10, many], [100, 40, many], [20, 5, many]];
  for (const [columns, rows, snap] of sizes) {
    it(`${columns}x${rows} with ${snap.nodes.length} nodes leaves the last row free`, () => {
      const v = view(snap, columns, rows);
      const used = 2 + v.nodeRows + 1 + v.results.rows + v.events.rows + 2;
      assert.ok(used <= Math.max(rows - 1, 6), `${used} rows`);
      assert.ok(screenLines(v).length <= used);
    });
  }

  it('keeps the selected node visible and says which rows are shown', () => {
    const v = view(many, 80, 24, { selected: 25, scroll: 0 });
    assert.equal(v.nodes.length, 10);
    assert.equal(v.nodes.at(-1)!.name, 'node-25');
    assert.ok(v.nodes.at(-1)!.selected);
    assert.match(v.title, /nodes 17-26 of 40$/);
  });

  const layouts: Array<[number, number, ReturnType<typeof layout>]> = [
    [24, 3, { nodeRows: 3, resultRows: 8, eventRows: 7 }],
    [24, 40, { nodeRows: 10, resultRows: 4, eventRows: 4 }],
    [24, 0, { nodeRows: 1, resultRows: 9, eventRows: 8 }],
    [12, 3, { nodeRows: 3, resultRows: 3, eventRows: 0 }],
    [8, 10, { nodeRows: 2, resultRows: 0, eventRows: 0 }],
  ];
  for (const [rows, nodes, expected] of layouts) {
    it(`layout of ${nodes} nodes in ${rows} rows`, () => assert.deepEqual(layout(rows, nodes), expected));
  }

  const scrolls: Array<[number, number, number, number, number]> = [
    // selected, scroll, visible, total -> offset
    [0, 0, 10, 5, 0], [12, 0, 10, 40, 3], [2, 5, 10, 40, 2], [39, 35, 10, 40, 30], [5, 3, 10, 40, 3],
  ];
  for (const [selected, scroll, visible, total, expected] of scrolls) {
    it(`clampScroll(${selected}, ${scroll}, ${visible}, ${total}) = ${expected}`, () => assert.equal(clampScroll(selected, scroll, visible, total), expected));
  }
});

describe('tui/view-model results and totals', () => {
  it('lists finished jobs oldest first, newest at the bottom', () => {
    const v = view(busySnapshot());
    assert.deepEqual(v.results.lines.map((l) => l.id), ['j111111111111', 'j333333333333', 'j222222222222']);
    assert.match(v.results.lines[0]!.text, /j111111111111 m0 +succeeded +20\.0 +0\.010% +123us/);
    assert.match(v.results.lines[2]!.text, /failed +- +- +- node shutting down$/);
  });

  it('shows the jobs\' expectations in an EXPECT column when one has them, the first column dropped when narrow', () => {
    const snap = busySnapshot();
    snap.jobs[0] = { ...snap.jobs[0]!, expect: { max_loss: '0.1%', max_rtt_p99: '500us' } };
    const wide = view(snap, 120);
    assert.match(wide.results.header, /p99 +EXPECT +REASON/);
    assert.match(wide.results.lines.find((l) => l.id === snap.jobs[0]!.id)!.text, / loss<=0\.1% p99<=500us/);
    assert.doesNotMatch(view(busySnapshot(), 120).results.header, /EXPECT/, 'no column when no job has expectations');
    const narrow = view(snap, 60);
    assert.doesNotMatch(narrow.results.header, /EXPECT/);
    assert.match(narrow.results.header, /REASON/);
  });

  it('sums nodes and jobs in the totals line', () => {
    assert.equal(view(busySnapshot(), 100).totals, '3 nodes: 2 up, 1 down, 1 paused · 1 running · 10 pending · 6 done · 1 failed · 19.8 Mbit/s');
    assert.equal(view(busySnapshot(), 40).totals, 'run 1 pend 10 done 6 fail 1');
    // Cancelled jobs are counted apart from failed ones, once there are any; a store that cannot save leads.
    const cancelled = busySnapshot();
    cancelled.nodes[0] = { ...cancelled.nodes[0]!, cancelled: 2 };
    assert.equal(view(cancelled, 120).totals, '3 nodes: 2 up, 1 down, 1 paused · 1 running · 10 pending · 6 done · 1 failed · 2 cancelled · 19.8 Mbit/s');
    assert.equal(view({ ...cancelled, store_error: 'cannot save' }, 60).totals, 'STATE NOT SAVED · run 1 pend 10 done 6 fail 1 canc 2');
  });

  it('says it is connecting before the first snapshot', () => {
    const v = buildView({ ui: initialUiState(), log: [], size: { columns: 80, rows: 24 }, label: 'scheduler 127.0.0.1:1801' });
    assert.match(v.title, /scheduler 127\.0\.0\.1:1801 \(connecting…\)/);
    assert.equal(v.nodes.length, 0);
  });

  it('says since when the scheduler stopped answering, and marks the tables stale, until it answers again', () => {
    const lostAt = new Date(2026, 10, 30, 9, 5, 7).getTime();
    const input = { snapshot: busySnapshot(), ui: initialUiState(), log: [], size: { columns: 80, rows: 24 }, label: 'scheduler 127.0.0.1:1801' };
    const lost = buildView({ ...input, disconnectedSince: lostAt });
    assert.match(lost.title, /^pktgen · scheduler 127\.0\.0\.1:1801 · disconnected since 09:05:07 /);
    assert.equal(lost.stale, true);
    // The last answer stays on screen (dimmed by the components), not an empty table.
    assert.equal(lost.nodes.length, 3);
    const back = buildView(input);
    assert.doesNotMatch(back.title, /disconnected/);
    assert.equal(back.stale, false);
  });
});

describe('tui/view-model a peer\'s text', () => {
  it('shows a FAIL reason escaped in the node row, the results and the events', () => {
    const failed = job('j1', 'm0', { state: 'failed', reason: 'boom\n\x1b]0;x\x07', finished_at: 5 });
    const v = buildView({
      snapshot: snapshot([node('m0', { failed: 1 })], [failed]), ui: initialUiState(),
      log: [{ at: 5, level: 'error', text: 'j1 failed on m0: boom\n\x1b]0;x\x07' }], size: { columns: 140, rows: 24 }, label: 'test',
    });
    const lines = screenLines(v);
    for (const line of lines) assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f]/, line);
    assert.match(row(v, 'm0'), /failed: boom\\x0a\\x1b\]0;x\\x07$/);
    assert.ok(v.results.lines[0]!.text.includes('boom\\x0a\\x1b]0;x\\x07'), v.results.lines[0]!.text);
    assert.ok(v.events.lines[0]!.text.endsWith('boom\\x0a\\x1b]0;x\\x07'), v.events.lines[0]!.text);
  });
});
