import assert from 'node:assert/strict';
import { closestCommand, editDistance } from '../src/not-found.js';

describe('not-found: the command a typo meant', () => {
  const ids = ['help', 'schedule', 'serve', 'status', 'submit'];
  const cases: Array<[string, string | undefined]> = [
    ['serv', 'serve'],
    ['server', 'serve'],
    ['stauts', 'status'],
    ['sched', 'schedule'],
    ['submti', 'submit'],
    ['hlep', 'help'],
    ['xyz', undefined],
    ['run', undefined],
  ];
  for (const [typed, expected] of cases) {
    it(`${typed} -> ${expected ?? 'no suggestion'}`, () => assert.equal(closestCommand(typed, ids), expected));
  }

  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('serve', 'serve'), 0);
    assert.equal(editDistance('serv', 'serve'), 1);
    assert.equal(editDistance('stauts', 'status'), 2);
    assert.equal(editDistance('', 'help'), 4);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
