import assert from 'node:assert/strict';
import { defaultNodeName } from '../../src/agent/node-name.js';
import { PORTS } from '../../src/protocol/ports.js';

describe('agent/node-name defaultNodeName', () => {
  it('is the host name on the default port, and host-PORT on any other', () => {
    assert.equal(defaultNodeName('lab-7', PORTS.node), 'lab-7');
    assert.equal(defaultNodeName('lab-7', 1731), 'lab-7-1731');
    assert.notEqual(defaultNodeName('lab-7', 1731), defaultNodeName('lab-7', 1733), 'two nodes on one host differ');
  });

  it('is the host name alone for a port the kernel picks (0)', () => {
    assert.equal(defaultNodeName('lab-7', 0), 'lab-7');
  });
});
