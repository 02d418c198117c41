import assert from 'node:assert/strict';
import { SeqList } from '../../src/scheduler/seq-list.js';

interface Item {
  seq: number;
  name: string;
}

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('SeqList: items in seq order', () => {
  it('lists the newest N oldest first, or all with 0', () => {
    const list = new SeqList<Item>();
    for (const seq of [5, 1, 9, 3, 7]) list.insert({ seq, name: `s${seq}` });
    assert.deepEqual(list.newest().map((i) => i.seq), [1, 3, 5, 7, 9]);
    assert.deepEqual(list.newest(2).map((i) => i.seq), [7, 9]);
    assert.deepEqual(list.newest(50).map((i) => i.seq), [1, 3, 5, 7, 9]);
    assert.equal(list.size, 5);
  });

  it('keeps equal seqs in insertion order and removes the very item asked for', () => {
    const list = new SeqList<Item>();
    const [a, b, c] = [{ seq: 2, name: 'a' }, { seq: 2, name: 'b' }, { seq: 2, name: 'c' }];
    list.insert(a);
    list.insert({ seq: 1, name: 'first' });
    list.insert(b);
    list.insert(c);
    assert.deepEqual(list.newest().map((i) => i.name), ['first', 'a', 'b', 'c']);
    assert.equal(list.remove(b), true);
    assert.equal(list.remove({ seq: 2, name: 'b' }), false, 'an equal item is not the item');
    assert.equal(list.remove({ seq: 4, name: 'absent' }), false);
    assert.deepEqual(list.newest().map((i) => i.name), ['first', 'a', 'c']);
    assert.equal(list.size, 3);
  });

  const seeds = [1, 2, 3];
  for (const seed of seeds) {
    it(`matches a sorted array through 20,000 random inserts and removals (seed ${seed})`, () => {
      const next = random(seed);
      const list = new SeqList<Item>();
      const reference: Item[] = [];
      for (let step = 0; step < 20_000; step++) {
        // Mostly appends, as jobs arrive, with inserts and removals anywhere mixed in; the list
        // grows to thousands of items, so runs split and merge.
        const roll = next();
        if (roll < 0.65 || reference.length === 0) {
          const seq = roll < 0.4 ? step : Math.floor(next() * step);
          const item = { seq, name: `i${step}` };
          list.insert(item);
          const at = reference.findIndex((other) => other.seq > seq);
          reference.splice(at === -1 ? reference.length : at, 0, item);
        } else {
          const victim = reference[Math.floor(next() * reference.length)]!;
          assert.equal(list.remove(victim), true);
          reference.splice(reference.indexOf(victim), 1);
        }
        if (step % 997 === 0) {
          const limit = Math.floor(next() * 50);
          assert.deepEqual(list.newest(limit), limit === 0 ? reference : reference.slice(-limit));
        }
      }
      assert.ok(reference.length > 3000, `${reference.length} items: too few to split runs`);
      assert.equal(list.size, reference.length);
      assert.deepEqual(list.newest(), reference);
      assert.deepEqual([...list.newestFirst()], [...reference].reverse());
      for (const item of [...reference]) assert.equal(list.remove(item), true);
      assert.deepEqual([list.size, list.newest()], [0, []]);
    });
  }
});
