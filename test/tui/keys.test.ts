import assert from 'node:assert/strict';
import { keyPresses, reduceKey, type KeyPress } from '../../src/tui/keys.js';
import { initialUiState, type UiState } from '../../src/tui/ui-state.js';
import { busySnapshot } from './fixtures.js';

const ctx = { snapshot: busySnapshot(), pageSize: 2, now: 0 };
const chars = (text: string): KeyPress[] => [...text].map((char) => ({ char }));
/** Applies keys in order; returns the last state and every effect. */
function press(keys: KeyPress[], ui: UiState = initialUiState()) {
  const effects = [];
  for (const key of keys) {
    const result = reduceKey(ui, key, ctx);
    ui = result.ui;
    effects.push(...result.effects);
  }
  return { ui, effects };
}

describe('tui/keys reduceKey', () => {
  it('moves within the node list and pages by the visible rows', () => {
    assert.equal(press([{ name: 'up' }]).ui.selected, 0);
    assert.equal(press([{ name: 'pageDown' }, { name: 'pageDown' }]).ui.selected, 2);
    const end = press([{ char: 'G' }]).ui;
    assert.deepEqual([end.selected, end.scroll], [2, 1]);
  });

  it('recalls entered commands with the arrow keys', () => {
    const first = press([{ char: ':' }, ...chars('pause m1'), { name: 'enter' }]);
    assert.deepEqual(first.effects, [{ type: 'setPaused', node: 'm1', paused: true }]);
    const recalled = press([{ char: ':' }, { name: 'up' }], first.ui).ui;
    assert.equal(recalled.input, 'pause m1');
  });

  it('backspace and Esc edit and leave the command line', () => {
    const typed = press([{ char: ':' }, ...chars('helpx'), { name: 'backspace' }]).ui;
    assert.equal(typed.input, 'help');
    assert.equal(press([{ name: 'escape' }], typed).ui.mode, 'normal');
  });

  it('quits at once on Ctrl+C, and on q with nothing to wait for', () => {
    assert.deepEqual(press([{ name: 'ctrlC' }]).effects, [{ type: 'quit' }]);
    const idle = { ...ctx, snapshot: { nodes: [], jobs: [], jobs_total: 0 } };
    assert.deepEqual(reduceKey(initialUiState(), { char: 'q' }, idle).effects, [{ type: 'quit' }]);
  });

  it('quits a viewer (status --watch) on q at once, even while jobs run', () => {
    const result = reduceKey(initialUiState(), { char: 'q' }, { ...ctx, quitStopsJobs: false });
    assert.deepEqual(result.effects, [{ type: 'quit' }]);
    assert.equal(result.ui.mode, 'normal');
  });

  it('c on a running job asks first: y cancels it, n or Esc keeps it running', () => {
    const asked = press([{ char: 'c' }]);
    assert.deepEqual(asked.effects, []);
    assert.equal(asked.ui.mode, 'confirmCancel');
    assert.deepEqual(asked.ui.cancelling, { jobId: 'j0a1b2c3d4e5f', node: 'm0' });
    assert.deepEqual(press([{ char: 'x' }], asked.ui).ui.mode, 'confirmCancel', 'other keys wait for the answer');
    const yes = press([{ char: 'y' }], asked.ui);
    assert.deepEqual(yes.effects, [{ type: 'cancel', jobId: 'j0a1b2c3d4e5f', node: 'm0' }]);
    assert.equal(yes.ui.mode, 'normal');
    for (const answer of [{ char: 'n' }, { name: 'escape' }] as KeyPress[]) {
      const no = press([answer], asked.ui);
      assert.deepEqual(no.effects, []);
      assert.equal(no.ui.mode, 'normal');
      assert.equal(no.ui.notice?.text, 'j0a1b2c3d4e5f keeps running on m0');
    }
  });

  it('c on a node with only pending jobs cancels the next one at once', () => {
    // m0 between jobs: its next pending job goes without a question (nothing measured is lost).
    const idle = busySnapshot();
    idle.nodes[0]!.running_job = '';
    idle.jobs = idle.jobs.filter((j) => j.state !== 'running');
    const { ui, effects } = reduceKey(initialUiState(), { char: 'c' }, { ...ctx, snapshot: idle });
    assert.equal(ui.mode, 'normal');
    assert.deepEqual(effects, [{ type: 'cancel', jobId: 'j555555555555', node: 'm0' }]);
  });

  it('`quit` on the command line asks first too; y confirms', () => {
    const asked = press([{ char: ':' }, ...chars('quit'), { name: 'enter' }]);
    assert.equal(asked.ui.mode, 'confirmQuit');
    assert.deepEqual(press([{ char: 'y' }], asked.ui).effects, [{ type: 'quit' }]);
  });
});

describe('tui/keys keyPresses', () => {
  it('splits typed text, turning line breaks into Enter', () => {
    assert.deepEqual(keyPresses('ab\r', {}), [{ char: 'a' }, { char: 'b' }, { name: 'enter' }]);
  });
  it('names arrows, Enter, Backspace and Ctrl+C', () => {
    assert.deepEqual(keyPresses('', { downArrow: true }), [{ name: 'down' }]);
    assert.deepEqual(keyPresses('\r', { return: true }), [{ name: 'enter' }]);
    assert.deepEqual(keyPresses('', { delete: true }), [{ name: 'backspace' }]);
    assert.deepEqual(keyPresses('c', { ctrl: true }), [{ name: 'ctrlC' }]);
    assert.deepEqual(keyPresses('x', { ctrl: true }), []);
  });
});
