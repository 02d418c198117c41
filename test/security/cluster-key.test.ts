import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ClusterKey, KEY_BYTES } from '../../src/security/cluster-key.js';
import { UserError } from '../../src/errors.js';

describe('ClusterKey', () => {
  const bytes = Buffer.alloc(KEY_BYTES, 0xab);
  const key = new ClusterKey(bytes, '/k/cluster.key');
  const hex = bytes.toString('hex');

  it('shows "[cluster key]" however it is printed, never the bytes', () => {
    const shown = [String(key), `${key}`, JSON.stringify({ key }), inspect(key), inspect({ nested: { key } }, { depth: 5, showHidden: true }),
      new UserError(`bad ${key}`).message];
    for (const text of shown) {
      assert.match(text, /\[cluster key\]/);
      assert.doesNotMatch(text, new RegExp(hex.slice(0, 16)));
      assert.doesNotMatch(text, /171,\s*171/); // the bytes as numbers
    }
    assert.deepEqual(Object.keys(key), ['source', 'created']);
  });

  it('keeps its own copy of the bytes', () => {
    const source = Buffer.alloc(KEY_BYTES, 1);
    const copy = new ClusterKey(source, 'x');
    const before = copy.hmac('l');
    source.fill(2);
    assert.deepEqual(copy.hmac('l'), before);
  });

  it('refuses a key of the wrong length', () => {
    assert.throws(() => new ClusterKey(Buffer.alloc(16), 'x'), /32 bytes, not 16/);
  });

  it('MACs label and parts unambiguously: moving a byte from one part to the next changes the MAC', () => {
    const p = (text: string) => Buffer.from(text);
    assert.notDeepEqual(key.hmac('l', p('ab'), p('c')), key.hmac('l', p('a'), p('bc')));
    assert.notDeepEqual(key.hmac('la', p('b')), key.hmac('l', p('ab')));
    assert.notDeepEqual(key.hmac('request', p('x')), key.hmac('response', p('x')));
    assert.equal(key.hmac('l', p('x')).length, 32);
  });

  it('verifies its own MACs only: other key, other label, other part, cut or empty MAC all fail', () => {
    const part = Buffer.from('body');
    const mac = key.hmac('l', part);
    assert.equal(key.verify(mac, 'l', part), true);
    assert.equal(ClusterKey.random().verify(mac, 'l', part), false);
    assert.equal(key.verify(mac, 'm', part), false);
    assert.equal(key.verify(mac, 'l', Buffer.from('bodY')), false);
    assert.equal(key.verify(mac.subarray(0, 31), 'l', part), false);
    assert.equal(key.verify(Buffer.alloc(0), 'l', part), false);
  });
});
