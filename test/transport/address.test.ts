import assert from 'node:assert/strict';
import { addressKey, describeListener, type Address } from '../../src/transport/address.js';

describe('describeListener', () => {
  const cases: Array<[Address, 'TCP' | 'UDP', string]> = [
    [{ host: '127.0.0.1', port: 1801 }, 'TCP', '127.0.0.1:1801 (TCP, jobs)'],
    [{ host: '0.0.0.0', port: 1729 }, 'TCP', '0.0.0.0:1729 (TCP, jobs; every IPv4 interface)'],
    [{ host: '::', port: 1730 }, 'UDP', '[::]:1730 (UDP, jobs; every interface)'],
    [{ host: '::1', port: 1729 }, 'TCP', '[::1]:1729 (TCP, jobs)'],
  ];
  for (const [address, protocol, expected] of cases) {
    it(expected, () => assert.equal(describeListener(address, protocol, 'jobs'), expected));
  }
});

describe('addressKey', () => {
  const same: Array<[string, string]> = [
    ['LOCALHOST', 'localhost.'], ['::1', '0:0:0:0:0:0:0:1'], ['FE80::1%eth0', 'fe80:0::1%eth0'], ['127.0.0.1', '::ffff:127.0.0.1'],
  ];
  for (const [a, b] of same) {
    it(`${a} and ${b} are one address`, () => assert.equal(addressKey({ host: a, port: 1729 }), addressKey({ host: b, port: 1729 })));
  }
  it('keeps ports, scopes and hosts apart', () => {
    assert.notEqual(addressKey({ host: '::1', port: 1729 }), addressKey({ host: '::1', port: 1731 }));
    assert.notEqual(addressKey({ host: 'fe80::1%eth0', port: 1 }), addressKey({ host: 'fe80::1%eth1', port: 1 }));
    assert.notEqual(addressKey({ host: '127.0.0.1', port: 1 }), addressKey({ host: '127.0.0.2', port: 1 }));
  });
});
