import assert from 'node:assert/strict';
import { ReplayCache } from '../../src/security/replay-cache.js';

const nonce = (n: number) => Buffer.alloc(16, n);

describe('ReplayCache', () => {
  it('takes a nonce once within the window, again once the window has passed', () => {
    const cache = new ReplayCache(60_000, 10);
    assert.equal(cache.record(nonce(1), 1_000), 'fresh');
    assert.equal(cache.record(nonce(1), 1_001), 'replayed');
    assert.equal(cache.record(nonce(2), 30_000), 'fresh');
    assert.equal(cache.record(nonce(1), 60_999), 'replayed');
    assert.equal(cache.record(nonce(1), 61_000), 'fresh');
    assert.equal(cache.size, 2);
  });

  it('is bounded: when full it remembers nothing more (and says so) until entries expire', () => {
    const cache = new ReplayCache(1_000, 3);
    for (const n of [1, 2, 3]) assert.equal(cache.record(nonce(n), 0), 'fresh');
    assert.equal(cache.record(nonce(4), 500), 'full');
    assert.equal(cache.record(nonce(1), 500), 'replayed');
    assert.equal(cache.size, 3);
    assert.equal(cache.record(nonce(4), 1_000), 'fresh');
    assert.equal(cache.size, 1);
  });

  it('compares nonces by content, wherever their bytes sit', () => {
    const cache = new ReplayCache(1_000, 10);
    const big = Buffer.concat([Buffer.alloc(5), nonce(7)]);
    assert.equal(cache.record(big.subarray(5), 0), 'fresh');
    assert.equal(cache.record(new Uint8Array(nonce(7)), 1), 'replayed');
  });
});
