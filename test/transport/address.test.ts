import assert from 'node:assert/strict';
import { describeListener, type Address } from '../../src/transport/address.js';

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
