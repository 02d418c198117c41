import assert from 'node:assert/strict';
import { escapeControl, escapeJsonText } from '../src/text.js';

describe('escapeControl', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text is unchanged', 'node shutting down', 'node shutting down'],
    ['a line break, a tab and CR', 'a\nb\tc\rd', 'a\\x0ab\\x09c\\x0dd'],
    ['an OSC title sequence', 'x\x1b]0;x\x07y', 'x\\x1b]0;x\\x07y'],
    ['NUL and DEL', '\x00\x7f', '\\x00\\x7f'],
    ['C1 controls (CSI as one character)', '\x9b31m\x85', '\\x9b31m\\x85'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['bidi overrides and isolates', '\u202eabc\u2066', '\\u202eabc\\u2066'],
    ['a backslash stays as it is', 'C:\\x0a', 'C:\\x0a'],
    ['printable non-ASCII stays', 'µs ✓ 日本', 'µs ✓ 日本'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(escapeControl(input), expected));
  }

  it('escaping twice is escaping once', () => {
    const once = escapeControl('a\nb\x1b[2Jc\u2028');
    assert.equal(escapeControl(once), once);
  });
});

describe('escapeJsonText', () => {
  it('escapes what JSON.stringify leaves raw, keeping the same value', () => {
    const value = { reason: 'a\nb\x1b]0;x\x07\x9b\u2028\u202e' };
    const text = escapeJsonText(JSON.stringify(value));
    assert.doesNotMatch(text, /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]/);
    assert.deepEqual(JSON.parse(text), value);
  });

  it('leaves the layout of indented JSON alone', () => {
    const json = JSON.stringify({ a: ['x\u0085'], b: 1 }, null, 2);
    assert.equal(escapeJsonText(json), json.replace('\u0085', '\\u0085'));
  });
});
