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
