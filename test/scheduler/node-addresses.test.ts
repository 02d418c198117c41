import assert from 'node:assert/strict';
import { NodeAddresses, type NodeToAdd } from '../../src/scheduler/node-addresses.js';
import { createLogger } from '../../src/log.js';

const add = (name: string, host: string, ip: string, port = 1729): NodeToAdd => ({ name, host, ip, port, where: `add ${name}` });

describe('NodeAddresses: one agent, one node', () => {
  const known = [{ name: 'm0', host: '10.0.0.5', port: 1729 }, { name: 'm1', host: 'lab-b', port: 1729 }];
  const addresses = () => {
    const a = new NodeAddresses(createLogger({ write: () => undefined }));
    a.assign('m0', '10.0.0.5');
    a.assign('m1', '10.0.0.6');
    return a;
  };

  const refused: Array<[string, NodeToAdd[], string]> = [
    ['the same address as written', [add('m2', '10.0.0.5', '10.0.0.5')], 'add m2 = "10.0.0.5:1729": already the address of node m0; give node m2 its own HOST:PORT (or remove node m0: pktgen submit --remove-node m0)'],
    ['a name that resolves to a known node\'s IP', [add('m2', 'lab-a', '10.0.0.5')], 'add m2 = "lab-a:1729": already the address of node m0 (10.0.0.5:1729; both are 10.0.0.5); give node m2 its own HOST:PORT (or remove node m0: pktgen submit --remove-node m0)'],
    ['an IP that a known node\'s name resolves to', [add('m2', '10.0.0.6', '10.0.0.6')], 'add m2 = "10.0.0.6:1729": already the address of node m1 (lab-b:1729; both are 10.0.0.6); give node m2 its own HOST:PORT (or remove node m1: pktgen submit --remove-node m1)'],
    ['two new nodes at one address', [add('m2', 'LAB-C', '10.0.0.7'), add('m3', 'lab-c.', '10.0.0.7')], 'add m3 = "lab-c.:1729": already the address of node m2 (LAB-C:1729); give node m3 its own HOST:PORT'],
    ['a known node moved onto another', [add('m1', '10.0.0.5', '10.0.0.5')], 'add m1 = "10.0.0.5:1729": already the address of node m0; give node m1 its own HOST:PORT (or remove node m0: pktgen submit --remove-node m0)'],
  ];
  for (const [what, adding, message] of refused) {
    it(`refuses ${what}, naming both nodes`, () => {
      assert.throws(() => addresses().checkFree(adding, known), { code: 'ERR_INPUT', exitCode: 2, message });
    });
  }

  const accepted: Array<[string, NodeToAdd[]]> = [
    ['another port on the same host', [add('m2', '10.0.0.5', '10.0.0.5', 1731)]],
    ['a known node added again at its own address', [add('m0', '10.0.0.5', '10.0.0.5')]],
    ['two known nodes swapping addresses', [add('m0', 'lab-b', '10.0.0.6'), add('m1', '10.0.0.5', '10.0.0.5')]],
    ['a name that does not resolve (kept as written)', [add('m2', 'nowhere.invalid', 'nowhere.invalid')]],
  ];
  for (const [what, adding] of accepted) it(`accepts ${what}`, () => addresses().checkFree(adding, known));

  it('forgets a node: it is no longer matched at its IP', () => {
    const a = addresses();
    assert.deepEqual(a.nodesAt('10.0.0.5'), ['m0']);
    a.forget('m0');
    assert.deepEqual([a.nodesAt('10.0.0.5'), a.ipOf('m0')], [[], undefined]);
  });
});
