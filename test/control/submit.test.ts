import assert from 'node:assert/strict';
import { jobFromFlags, progressLine, sizeFields, submitRequest, type JobFlags } from '../../src/control/submit.js';
import { parseAddNode } from '../../src/input/files.js';
import { typed } from '../../src/input/json.js';
import { UserError } from '../../src/errors.js';
import type { JobInfo } from '../../src/protocol/view.js';

const flags = (patch: Partial<JobFlags> = {}): JobFlags => ({
  node: ['m0'], 'all-nodes': false, rate: 10, duration: 1, warmup: 0, flows: 1, size: '500',
  'random-payload': false, latency: false, priority: 0, retries: 0, ...patch,
});

describe('submit: flags into a job', () => {
  const sizes: Array<[string, { s_min: unknown; s_max?: unknown }]> = [
    ['64', { s_min: 64 }],
    ['64-1500', { s_min: 64, s_max: 1500 }],
    ['500-500', { s_min: 500, s_max: 0 }],
    // Not checked here: the scheduler's one job schema says what is wrong, naming the field.
    ['900-800', { s_min: 900, s_max: 800 }],
    ['big', { s_min: 'big' }],
    ['64-x', { s_min: 64, s_max: 'x' }],
  ];
  for (const [text, expected] of sizes) {
    it(`--size ${text} sets ${JSON.stringify(expected)}`, () => assert.deepEqual(sizeFields(text), expected));
  }

  it('sends the job as typed, in jobs.json names', () => {
    const job = jobFromFlags(flags({ rate: 20, duration: 30, warmup: 5, flows: 15, size: '200-800', 'random-payload': true, latency: true, priority: 3, target: 'm1', grace: 2.5 }));
    assert.deepEqual(JSON.parse(job.json), {
      nodes: ['m0'], priority: 3, target: 'm1', timeout: 2.5, retries: 0,
      data: { rate: 20, t: 30, w: 5, n: 15, s_min: 200, s_max: 800, r: true, l: true },
    });
    assert.equal(job.where, 'submit');
    assert.equal(job.all_nodes, false);
  });

  it('keeps values the schema will refuse, for the scheduler to name', () => {
    assert.deepEqual(JSON.parse(jobFromFlags(flags({ duration: 0, rate: 'fast' })).json).data, { rate: 'fast', t: 0, w: 0, n: 1, s_min: 500, r: false, l: false });
    assert.deepEqual([typed('1.5'), typed('-2'), typed('1e3'), typed('0x10'), typed(' 7 '), typed('')], [1.5, -2, 1000, '0x10', 7, '']);
  });

  const missing: Array<[string, Partial<JobFlags>, RegExp]> = [
    ['no node', { node: undefined }, /--node NAME .* or --all-nodes/],
    ['no rate', { rate: undefined }, /a job needs --rate \(e.g. 1.5, 500k, 2.5M, 10G; 0 = as fast as possible\) or --pps N/],
    ['no duration', { duration: undefined }, /--duration SECONDS/],
  ];
  for (const [what, patch, message] of missing) {
    it(`refuses ${what} with a user error naming the flag`, () => {
      assert.throws(() => jobFromFlags(flags(patch)), (error: unknown) => error instanceof UserError && message.test(error.message));
    });
  }

  const addNodes: Array<[string, object]> = [
    ['m2=127.0.0.1:1733', { name: 'm2', host: '127.0.0.1', port: 1733 }],
    ['m3=localhost', { name: 'm3', host: 'localhost', port: 1729 }],
    ['m4=127.0.0.1:1735,reflector=127.0.0.1:1736', { name: 'm4', host: '127.0.0.1', port: 1735, reflector: '127.0.0.1:1736' }],
    // As in nodes.json: a reflector given as a port is on the node's own host.
    ['m5=[::1]:1737,reflector=1738', { name: 'm5', host: '::1', port: 1737, reflector: '[::1]:1738' }],
  ];
  for (const [text, node] of addNodes) it(`parses --add-node ${text}`, () => assert.deepEqual(parseAddNode(text), node));

  const badNodes: Array<[string, string]> = [
    ['127.0.0.1', '--add-node = "127.0.0.1": expected NAME=HOST[:PORT][,reflector=HOST:PORT], e.g. m2=127.0.0.1:1733,reflector=127.0.0.1:1734'],
    ['m2=127.0.0.1:99999', '--add-node m2 = "127.0.0.1:99999": expected NAME=HOST[:PORT][,reflector=HOST:PORT], e.g. m2=127.0.0.1:1733,reflector=127.0.0.1:1734 (port must be 1..65535)'],
    ['m2=10.0.0', '--add-node m2 HOST = "10.0.0": expected an IP address or host name'],
    ['m2=h,reflector=x', '--add-node m2 reflector = "x": expected HOST:PORT, or a port 1..65535 on the node\'s own ip (missing port)'],
    ['m2=h,target=1', '--add-node m2 = "target=1": expected NAME=HOST[:PORT][,reflector=HOST:PORT], e.g. m2=127.0.0.1:1733,reflector=127.0.0.1:1734'],
    ['m 2=h', '--add-node NAME = "m 2": expected a node name of letters, digits, "_", "." and "-"'],
  ];
  for (const [text, message] of badNodes) {
    it(`refuses --add-node ${text}, naming what is wrong (exit 2)`, () => {
      assert.throws(() => parseAddNode(text), { code: 'ERR_INPUT', exitCode: 2, message });
    });
  }

  it('sends --add-node, --cancel-node and --remove-node as they are, for the scheduler to check', async () => {
    const request = await submitRequest({ ...flags({ node: undefined, rate: undefined, duration: undefined }), 'add-node': [parseAddNode('m4=10.0.0.4,reflector=7')], 'cancel-node': ['m0'], 'remove-node': ['m1', 'm2'] });
    assert.deepEqual(request.add_nodes, [{ name: 'm4', host: '10.0.0.4', port: 1729, reflector: '10.0.0.4:7', legacy: false }]);
    assert.deepEqual([request.cancel_nodes, request.remove_nodes, request.add_jobs], [['m0'], ['m1', 'm2'], []]);
  });

  it('shows progress as done count and the running job', () => {
    const job = (id: string, state: JobInfo['state'], started = 0) => ({ id, node: 'm0', state, started_at: started, data: { w: 1, t: 3 } }) as JobInfo;
    assert.equal(progressLine([job('a', 'succeeded'), job('b', 'running', 1000), job('c', 'pending')], 3000), '1/3 done; b on m0 50%');
  });
});
