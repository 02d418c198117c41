import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import type { Snapshot } from '../../src/protocol/view.js';
import { NodeTable } from '../../src/tui/components/node-table.js';
import { ProgressBar } from '../../src/tui/components/progress-bar.js';
import { Screen } from '../../src/tui/components/screen.js';
import type { LogEntry } from '../../src/tui/events.js';
import { helpLines } from '../../src/tui/footer.js';
import { initialUiState, type Mode } from '../../src/tui/ui-state.js';
import { buildView } from '../../src/tui/view-model.js';
import { busySnapshot, node, snapshot } from './fixtures.js';
import { plain } from './helpers.js';

const AT = new Date(2026, 10, 20, 12, 0, 5).getTime();
const LOG: LogEntry[] = [
  { at: AT, level: 'info', text: 'j0a1b2c3d4e5f started on m0' },
  { at: AT, level: 'warn', text: 'node m2 down' },
];

/** Renders the whole screen for a snapshot at a size; returns its plain text lines. */
function screen(snap: Snapshot, columns: number, rows: number, mode: Mode = 'normal', selected = 0): string[] {
  const view = buildView({ snapshot: snap, ui: { ...initialUiState(), mode, selected }, log: LOG, size: { columns, rows }, label: 'scheduler 127.0.0.1:1801' });
  const { lastFrame, unmount } = render(<Screen view={view} mode={mode} help={helpLines()} />);
  const lines = plain(lastFrame()).split('\n');
  unmount();
  return lines;
}

describe('tui/components Screen frames', () => {
  const cases: Array<{ name: string; snap: Snapshot; columns: number; rows: number; mode?: Mode; selected?: number; shows: RegExp[] }> = [
    { name: 'idle', snap: snapshot([node('m0'), node('m1', { port: 1731 })]), columns: 80, rows: 24, shows: [/^› m0 +127\.0\.0\.1:1729 up +idle +0 +0 +0$/, /^  m1 +127\.0\.0\.1:1731/, /no finished jobs yet/] },
    { name: 'busy 80x24', snap: busySnapshot(), columns: 80, rows: 24, shows: [/^› m0 .* busy +3 █+░+ +47% +19\.8 +4 +1 failed$/, /j111111111111 m0 +succeeded/, /12:00:05 node m2 down/] },
    { name: 'down', snap: busySnapshot(), columns: 80, rows: 24, shows: [/^  m2 +10\.0\.0\.12:1729 down idle +5/] },
    { name: 'many nodes', snap: snapshot(Array.from({ length: 40 }, (_, i) => node(`m${i}`))), columns: 80, rows: 24, selected: 39, shows: [/nodes 31-40 of 40$/, /^› m39 /] },
    { name: '60 columns', snap: busySnapshot(), columns: 60, rows: 20, shows: [/^  NODE ADDRESS +LINK STATE +PEND PROGRESS +DONE FAIL$/] },
    { name: '40 columns', snap: busySnapshot(), columns: 40, rows: 16, shows: [/^  NODE LINK STATE +PEND PROGRESS +DONE$/, /^› m0 +up +busy/] },
    { name: 'help', snap: busySnapshot(), columns: 80, rows: 24, mode: 'help', shows: [/^Keys$/, /cancel JOB_ID/, /any key closes help/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const lines = screen(c.snap, c.columns, c.rows, c.mode, c.selected);
      for (const re of c.shows) assert.ok(lines.some((line) => re.test(line)), `${re} in\n${lines.join('\n')}`);
      assert.ok(lines.length <= c.rows - 1, `${lines.length} lines in ${c.rows} rows`);
      for (const line of lines) assert.ok(line.length <= c.columns, `${line.length} > ${c.columns}: ${line}`);
    });
  }

  it('keeps the same height as jobs come and go, so the command line stays at the bottom', () => {
    const empty = screen(snapshot([node('m0')]), 80, 24);
    const busy = screen(busySnapshot(), 80, 24);
    assert.equal(empty.length, busy.length);
    assert.match(empty.at(-1)!, /a add job/);
  });
});

describe('tui/components parts', () => {
  it('ProgressBar: filled share, then the percentage or "warm"', () => {
    const { lastFrame } = render(<ProgressBar value={0.5} warmupShare={0.1} width={14} />);
    assert.equal(plain(lastFrame()), '█████░░░░  50%');
    const warm = render(<ProgressBar value={0.05} warmupShare={0.1} width={10} />);
    assert.equal(plain(warm.lastFrame()), '░░░░░ warm');
  });

  it('NodeTable: marks the selected row and pads to its height', () => {
    const view = buildView({ snapshot: busySnapshot(), ui: { ...initialUiState(), selected: 1 }, log: [], size: { columns: 80, rows: 24 }, label: 'x' });
    const { lastFrame } = render(<NodeTable header={view.header} rows={view.nodes} height={5} />);
    const lines = plain(lastFrame()).split('\n');
    assert.equal(lines.length, 6);
    assert.deepEqual(lines.slice(1, 4).map((line) => line.slice(0, 4)), ['  m0', '› m1', '  m2']);
  });
});
