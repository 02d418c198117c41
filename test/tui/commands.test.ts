import assert from 'node:assert/strict';
import { parseCommand, type Command } from '../../src/tui/commands.js';

const known = new Set(['m0', 'm1']);
/** The addJob command for a job as typed: the JSON sent to the scheduler, named add_job. */
const addJob = (job: object): Command => {
  const nodes = (job as { nodes: string[] }).nodes;
  return { type: 'addJob', job: { json: JSON.stringify(job), where: 'add_job', all_nodes: false }, nodes };
};
const data = { m: 20, t: 30, s_min: 64 };
const JOB = '{"m": 20, "t": 30, "s_min": 64}';

describe('tui/commands parseCommand', () => {
  const accepted: Array<[string, Command]> = [
    ['add_node m2 127.0.0.1', { type: 'addNode', node: { name: 'm2', host: '127.0.0.1', port: 1729, reflector: '', legacy: false } }],
    ['add_node m2 127.0.0.1:1731', { type: 'addNode', node: { name: 'm2', host: '127.0.0.1', port: 1731, reflector: '', legacy: false } }],
    ['add_node m2 127.0.0.1 1731', { type: 'addNode', node: { name: 'm2', host: '127.0.0.1', port: 1731, reflector: '', legacy: false } }],
    ['add_node m2 [::1]:1800', { type: 'addNode', node: { name: 'm2', host: '::1', port: 1800, reflector: '', legacy: false } }],
    ['add_node m2 ::1', { type: 'addNode', node: { name: 'm2', host: '::1', port: 1729, reflector: '', legacy: false } }],
    ["q.add_node('m2', '127.0.0.1')", { type: 'addNode', node: { name: 'm2', host: '127.0.0.1', port: 1729, reflector: '', legacy: false } }],
    [`add_job m0 ${JOB}`, addJob({ nodes: ['m0'], data })],
    [`  add_job   m1 {"m": 20,  "t": 30, "s_min": 64, "l": 1}   5 `, addJob({ nodes: ['m1'], data: { ...data, l: 1 }, priority: 5 })],
    [`add_job m0,m1 ${JOB} target=m1 -2`, addJob({ nodes: ['m0', 'm1'], data, target: 'm1', priority: -2 })],
    [`add_job m0 ${JOB} target=127.0.0.1:9000`, addJob({ nodes: ['m0'], data, target: '127.0.0.1:9000' })],
    ["add_job m0 {'m': 20, 't': 30, 's_min': 64, 'r': True}", addJob({ nodes: ['m0'], data: { ...data, r: true } })],
    ["q.add_job('m0', {'m': 20, 't': 30, 's_min': 64}, 2)", addJob({ nodes: ['m0'], data, priority: 2 })],
    ['job m0 {"m": 1, "t": 1, "s_min": 1500, "s_max": 9000}', addJob({ nodes: ['m0'], data: { m: 1, t: 1, s_min: 1500, s_max: 9000 } })],
    ['add_job m0 {"rate": "2.5M", "t": 30, "s_min": 64}', addJob({ nodes: ['m0'], data: { rate: '2.5M', t: 30, s_min: 64 } })],
    ['add_job m0 {"pps": 10000, "t": 30, "s_min": 64, "l": true} max_loss=0.1% max_rtt_p99=500us 3 min_rate=99%',
      addJob({ nodes: ['m0'], data: { pps: 10_000, t: 30, s_min: 64, l: true }, priority: 3, expect: { max_loss: '0.1%', max_rtt_p99: '500us', min_rate: '99%' } })],
    [`add_job m0 ${JOB} target=m1 max_loss=0%`, addJob({ nodes: ['m0'], data, target: 'm1', expect: { max_loss: '0%' } })],
    ['cancel j0a1b2c3d4e5f', { type: 'cancel', jobId: 'j0a1b2c3d4e5f' }],
    ['pause m1', { type: 'pause', node: 'm1', paused: true }],
    ['resume m1', { type: 'pause', node: 'm1', paused: false }],
    ['help', { type: 'help' }],
    ['?', { type: 'help' }],
    ['quit', { type: 'quit' }],
    ['exit', { type: 'quit' }],
    ['   ', { type: 'none' }],
  ];
  for (const [line, expected] of accepted) {
    it(`accepts ${line.trim() || 'an empty line'}`, () => assert.deepEqual(parseCommand(line, known), expected));
  }

  const USAGE_JOB = 'expected add_job NODE[,NODE...] {"rate": "2.5M", "t": 30, "s_min": 64} [PRIORITY] [target=NODE|HOST:PORT] [max_loss=0.1%] [max_rtt_p99=500us] [min_rate=99%]';
  const rejected: Array<[string, string]> = [
    ['frobnicate m0', 'unknown command "frobnicate"; expected one of add_job, add_node, cancel, pause, resume, help, quit'],
    ['add_job m0', `add_job: missing the job data {...}; ${USAGE_JOB}`],
    ['add_job m0 {"m": 20, "t": 30}', 'add_job: s_min is missing: expected an integer frame size 64..9000'],
    ['add_job m0 {"m": 20, "t": 30, "s_min": 64, "s_mx": 80}', 'add_job: s_mx = 80: unknown field (did you mean "s_max"?); expected only m, t, w, n, s_min, s_max, r, l, rate, pps, rate_bps, threads, interval, interval_ms, size, sizes'],
    ['add_job m0 {"m": 20, "t": 0, "s_min": 64}', 'add_job: t = 0: expected an integer duration 1..3600 s'],
    ['add_job m0 {"m": 20,}', 'add_job: not valid JSON (Expected double-quoted property name in JSON at position 9 (line 1 column 10)); ' + USAGE_JOB],
    [`add_job m0 ${JOB} 1.5`, 'add_job: priority = 1.5: expected an integer priority (lower runs first)'],
    [`add_job m9 ${JOB}`, 'add_job: nodes[0] = "m9": unknown node (known: "m0", "m1")'],
    [`add_job m0 ${JOB} fast`, `add_job: "fast" is neither a priority nor NAME=VALUE (target, max_loss, max_rtt_p99, min_rate); ${USAGE_JOB}`],
    ['add_job m0 {"rate": "1.5x", "t": 30, "s_min": 64}', 'add_job: rate = "1.5x": expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
    ['add_job m0 {"rate": "1.5", "pps": 100, "t": 30, "s_min": 64}', 'add_job: pps = 100: expected one rate only: "rate" is given too (give one of "m", "rate" or "pps")'],
    [`add_job m0 ${JOB} max_loss=0.1`, 'add_job: expect.max_loss = "0.1": expected a loss 0%..100%: a number and a unit, % (e.g. 0.1%)'],
    [`add_job m0 ${JOB} max_rtt_p99=500us`, 'add_job: expect.max_rtt_p99 = "500us": expected latency to be measured: set "l": true in "data" (submit --latency)'],
    [`add_job m0 ${JOB} max_loss=1% max_loss=2%`, `add_job: the max_loss is given twice; ${USAGE_JOB}`],
    [`add_job m0 ${JOB} 1 2`, `add_job: the priority is given twice; ${USAGE_JOB}`],
    [`add_job m0 ${JOB} target=1.2.3.4`, 'add_job: target = "1.2.3.4": expected a node name or HOST:PORT (missing port)'],
    ['add_node m2', 'add_node: missing an argument; expected add_node NAME HOST[:PORT] [PORT]'],
    ['add_node m2 127.0.0.1:99999', 'add_node HOST "127.0.0.1:99999": port must be 1..65535'],
    ['add_node m2 127.0.0.1:1731 1732', 'add_node: the port is given twice; expected add_node NAME HOST[:PORT] [PORT]'],
    ['add_node a/b 1.2.3.4', 'add_node NAME = "a/b": expected a node name of letters, digits, "_", "." and "-"'],
    ['add_node m2 10.0.0', 'add_node: "10.0.0" is not an IP address or host name; expected add_node NAME HOST[:PORT] [PORT]'],
    ['cancel', 'cancel: missing arguments; expected cancel JOB_ID'],
    ['pause m9', 'pause NODE = "m9": unknown node (known: "m0", "m1")'],
    ['quit now', 'quit: unexpected "now"; expected quit'],
  ];
  for (const [line, message] of rejected) {
    it(`rejects ${line} in one line`, () => {
      assert.deepEqual(parseCommand(line, known), { type: 'error', message });
      assert.ok(!message.includes('\n'));
    });
  }

  it('accepts any node name when no node list is known yet', () => {
    assert.equal(parseCommand(`add_job m9 ${JOB}`).type, 'addJob');
  });
});
