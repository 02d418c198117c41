import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { secretFromBytes } from '../../src/session/crypto.js';
import { parseJobsFile } from '../../src/input/files.js';
import { DEFAULT_NODE_LIMITS } from '../../src/input/job.js';
import { typed } from '../../src/input/json.js';
import { jobFromFlags, type JobFlags } from '../../src/control/submit.js';
import { controlRequest, type ControlPeer } from '../../src/control/client.js';
import { startControlServer } from '../../src/control/server.js';
import { parseCommand } from '../../src/tui/commands.js';
import { jobToSpec, JobRejectedError } from '../../src/agent/validate.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import type { FrameServer } from '../../src/transport/server.js';
import { createLogger } from '../../src/log.js';
import { PktgenError } from '../../src/errors.js';
import { ClusterKey } from '../../src/security/cluster-key.js';

// One bad job, five ways in: a jobs file, `pktgen submit` flags, the terminal UI's command line, a raw
// control request and the node's own check. Each must refuse it with the same `<field> = <value>:
// expected <what>` after its own name for the job, and each must take every value in range.

const BASE = { m: 10, t: 1, s_min: 64 };
type Field = 'm' | 'rate' | 'pps' | 't' | 'w' | 'n' | 's_min' | 's_max' | 'r' | 'l' | 'priority' | 'timeout' | 'retries';
const DATA_FIELDS = new Set<Field>(['m', 'rate', 'pps', 't', 'w', 'n', 's_min', 's_max', 'r', 'l']);
/** The fields that each give the rate: a job with one of them has no "m". */
const RATE_FIELDS = new Set<Field>(['rate', 'pps']);

/** [field, value, expected tail of the message, or 'ok'] */
const CASES: Array<[Field, unknown, string]> = [
  ['m', -1, 'm = -1: expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)'],
  ['m', 0, 'ok'], ['m', 100_000, 'ok'],
  ['m', 100_001, 'm = 100001: expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)'],
  ['m', 1.5, 'm = 1.5: expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)'],
  ['m', 'fast', 'm = "fast": expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)'],
  ['rate', 0, 'ok'], ['rate', 1.5, 'ok'], ['rate', '1.5', 'ok'], ['rate', '500k', 'ok'], ['rate', '2.5M', 'ok'],
  ['rate', '10G', 'ok'], ['rate', '100G', 'ok'], ['rate', '64kbit/s', 'ok'], ['rate', '0.001', 'ok'],
  ['rate', '100.000001G', 'rate = "100.000001G": expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
  ['rate', '1.0000001k', 'rate = "1.0000001k": expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
  ['rate', 'fast', 'rate = "fast": expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
  ['rate', '2.5T', 'rate = "2.5T": expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
  ['rate', -1, 'rate = -1: expected a rate of frame bits/s up to 100000 Mbit/s: a number and a unit, k, M or G, or a number alone for Mbit/s (e.g. 1.5, 500k, 2.5M, 10G) (0 = as fast as possible)'],
  ['pps', 1, 'ok'], ['pps', 100_000, 'ok'], ['pps', 195_312_500, 'ok'],
  ['pps', 0, 'pps = 0: expected an integer packet rate 1..195312500 frames/s'],
  ['pps', 1.5, 'pps = 1.5: expected an integer packet rate 1..195312500 frames/s'],
  ['pps', 195_312_501, 'pps = 195312501: expected an integer packet rate 1..195312500 frames/s'],
  ['pps', 'lots', 'pps = "lots": expected an integer packet rate 1..195312500 frames/s'],
  ['t', 0, 't = 0: expected an integer duration 1..3600 s'],
  ['t', 1, 'ok'], ['t', 3600, 'ok'],
  ['t', 3601, 't = 3601: expected an integer duration 1..3600 s'],
  ['w', -1, 'w = -1: expected an integer warm-up 0..3600 s'],
  ['w', 0, 'ok'], ['w', 3600, 'ok'],
  ['w', 3601, 'w = 3601: expected an integer warm-up 0..3600 s'],
  ['n', -1, 'n = -1: expected an integer flow count 0..1024 (0 = 1 flow)'],
  ['n', 0, 'ok'], ['n', 1024, 'ok'],
  ['n', 1025, 'n = 1025: expected an integer flow count 0..1024 (0 = 1 flow)'],
  ['s_min', 20, 's_min = 20: expected an integer frame size 64..9000'],
  ['s_min', 63, 's_min = 63: expected an integer frame size 64..9000'],
  ['s_min', 64, 'ok'], ['s_min', 9000, 'ok'],
  ['s_min', 9001, 's_min = 9001: expected an integer frame size 64..9000'],
  ['s_max', 0, 'ok'], ['s_max', 64, 'ok'], ['s_max', 9000, 'ok'],
  ['s_max', 63, 's_max = 63: expected 0 (= s_min) or an integer frame size 64..9000'],
  ['s_max', 9001, 's_max = 9001: expected 0 (= s_min) or an integer frame size 64..9000'],
  ['r', true, 'ok'], ['r', 2, 'r = 2: expected true or false'],
  ['l', false, 'ok'], ['l', 'yes', 'l = "yes": expected true or false'],
  ['priority', -3, 'ok'],
  ['priority', 1.5, 'priority = 1.5: expected an integer priority (lower runs first)'],
  ['timeout', 0.5, 'ok'], ['timeout', 86_400, 'ok'],
  ['timeout', 0, 'timeout = 0: expected seconds of grace past w + t, above 0 and up to 86400'],
  ['timeout', -5, 'timeout = -5: expected seconds of grace past w + t, above 0 and up to 86400'],
  ['timeout', 86_401, 'timeout = 86401: expected seconds of grace past w + t, above 0 and up to 86400'],
  ['retries', 0, 'ok'], ['retries', 100, 'ok'],
  ['retries', -1, 'retries = -1: expected an integer 0..100 (re-runs after a failure or loss)'],
  ['retries', 0.5, 'retries = 0.5: expected an integer 0..100 (re-runs after a failure or loss)'],
];

/** The job object with `field` set to `value`. */
function jobWith(field: Field, value: unknown): { nodes: string[]; data: Record<string, unknown>; [key: string]: unknown } {
  const base: Record<string, unknown> = { ...BASE };
  if (RATE_FIELDS.has(field)) delete base.m;
  return DATA_FIELDS.has(field) ? { nodes: ['m0'], data: { ...base, [field]: value } } : { nodes: ['m0'], data: base, [field]: value };
}

/** 'ok', or the message with the entry point's own name for the job (`prefix`) taken off. */
function outcome(error: unknown, prefix: string): string {
  if (error === undefined) return 'ok';
  assert.ok(error instanceof PktgenError, `expected a pktgen error, got ${String(error)}`);
  assert.ok(error.message.startsWith(prefix), `"${error.message}" should start with "${prefix}"`);
  return error.message.slice(prefix.length);
}

async function settle(run: () => unknown): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The flags a user would type for `field = value`, or undefined when no flag can say it. */
function flagsFor(field: Field, value: unknown): JobFlags | undefined {
  if (field === 'r' || field === 'l') return undefined; // boolean flags cannot carry a wrong value
  // --rate sets "rate" (a whole Mbit/s travels as "m"): no flag sets "m" itself.
  if (field === 'm') return undefined;
  const flags: JobFlags = { node: ['m0'], 'all-nodes': false, rate: typed(String(BASE.m)), duration: typed(String(BASE.t)), 'random-payload': false, latency: false };
  const text = String(value);
  switch (field) {
    case 'rate': flags.rate = typed(text); break;
    case 'pps': delete flags.rate; flags.pps = typed(text); break;
    case 't': flags.duration = typed(text); break;
    case 'w': flags.warmup = typed(text); break;
    case 'n': flags.flows = typed(text); break;
    case 's_min': flags.size = text; break;
    case 's_max': flags.size = `${BASE.s_min}-${text}`; break;
    case 'timeout': flags.grace = typed(text); break;
    default: flags[field] = typed(text);
  }
  return flags;
}

/** The UI's command line for the job, or undefined when the command cannot say it. */
function commandFor(field: Field, value: unknown): string | undefined {
  const job = jobWith(field, value);
  if (field === 'timeout' || field === 'retries') return undefined;
  return `add_job m0 ${JSON.stringify(job.data)}${field === 'priority' ? ` ${String(value)}` : ''}`;
}

const EXPECT_FLAG = { max_loss: 'max-loss', max_rtt_p99: 'max-rtt-p99', min_rate: 'min-rate' } as const;
const LOSS = 'expected a loss 0%..100%: a number and a unit, % (e.g. 0.1%)';
const RTT = 'expected an RTT above 0 and up to 60s: a number and a unit, us, ms or s (e.g. 500us)';
const RATE = 'expected a share 0%..100% of the requested rate: a number and a unit, % (e.g. 99%)';

/** [expectation, value, data fields over BASE (l: true), expected tail of the message, or 'ok'] */
const EXPECT_CASES: Array<[keyof typeof EXPECT_FLAG, unknown, Record<string, unknown>, string]> = [
  ['max_loss', '0%', {}, 'ok'], ['max_loss', '0', {}, 'ok'], ['max_loss', '0.1%', {}, 'ok'], ['max_loss', '100%', {}, 'ok'],
  ['max_loss', '100.1%', {}, `expect.max_loss = "100.1%": ${LOSS}`],
  ['max_loss', '0.1', {}, `expect.max_loss = "0.1": ${LOSS}`],
  ['max_loss', '-1%', {}, `expect.max_loss = "-1%": ${LOSS}`],
  ['max_loss', 'low', {}, `expect.max_loss = "low": ${LOSS}`],
  ['max_rtt_p99', '500us', {}, 'ok'], ['max_rtt_p99', '2ms', {}, 'ok'], ['max_rtt_p99', '60s', {}, 'ok'],
  ['max_rtt_p99', '0us', {}, `expect.max_rtt_p99 = "0us": ${RTT}`],
  ['max_rtt_p99', '500', {}, `expect.max_rtt_p99 = "500": ${RTT}`],
  ['max_rtt_p99', '61s', {}, `expect.max_rtt_p99 = "61s": ${RTT}`],
  ['max_rtt_p99', '500us', { l: false }, 'expect.max_rtt_p99 = "500us": expected latency to be measured: set "l": true in "data" (submit --latency)'],
  ['min_rate', '99%', {}, 'ok'], ['min_rate', '100%', {}, 'ok'],
  ['min_rate', '101%', {}, `expect.min_rate = "101%": ${RATE}`],
  ['min_rate', '99', {}, `expect.min_rate = "99": ${RATE}`],
  ['min_rate', '99%', { m: 0 }, 'expect.min_rate = "99%": expected a requested rate: "m" above 0 (m = 0 sends as fast as possible, which requests no rate)'],
];

describe('one job schema: the same message through every entry point', () => {
  let service: SchedulerService;
  let server: FrameServer;
  let scheduler: ControlPeer;
  const key = ClusterKey.random();
  const log = createLogger({ write: () => undefined });
  const known = new Set(['m0']);

  before(async () => {
    // With a key, m0 is a pktgen node (driven over a session), so it takes every form of the rate.
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log, sessionSecret: secretFromBytes(randomBytes(32)) });
    await service.start();
    // Nobody listens there and the node is paused: accepted jobs stay queued.
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }]);
    service.setPaused('m0', true);
    server = await startControlServer(service, { host: '127.0.0.1', port: 0, allow: new Allowlist(LOOPBACK_CIDRS, 'test'), key, log });
    scheduler = { address: server.address, key };
  });
  after(async () => {
    await server.close();
    await service.stop();
  });

  for (const [field, value, expected] of CASES) {
    it(`${field} = ${JSON.stringify(value)}: ${expected}`, async () => {
      const job = jobWith(field, value);
      const seen: Record<string, string> = {};
      seen.file = outcome(await settle(() => parseJobsFile(JSON.stringify({ jobs: [job] }), 'jobs.json', known)), 'jobs.json: $.jobs[0]: ');
      seen.control = outcome(await settle(() => controlRequest(scheduler, { add_jobs: [{ json: JSON.stringify(job), where: '', all_nodes: false }] })), 'add_jobs[0]: ');
      const flags = flagsFor(field, value);
      if (flags) seen.submit = outcome(await settle(() => controlRequest(scheduler, { add_jobs: [jobFromFlags(flags)] })), 'submit: ');
      const line = commandFor(field, value);
      if (line) {
        const parsed = parseCommand(line, known);
        seen.ui = parsed.type === 'error' ? outcome(new PktgenError('ERR_INPUT', parsed.message), 'add_job: ') : 'ok';
        // What the line sends, the scheduler takes or refuses the same way.
        if (parsed.type === 'addJob') seen.uiSent = outcome(await settle(() => controlRequest(scheduler, { add_jobs: [parsed.job] })), 'add_job: ');
      }
      // "rate" is text on the way in; on the wire it is m or rate_bps (pps 0 there means "not set").
      const onWire = field !== 'rate' && !(field === 'pps' && value === 0);
      if (onWire && (DATA_FIELDS.has(field) && Number.isInteger(value) || typeof value === 'boolean')) {
        // The wire carries only integers and booleans; a job that reaches a node is checked the same way.
        const wire = { m: field === 'pps' ? 0 : 10, t: 1, w: 0, n: 0, s_min: 64, s_max: 0, r: false, l: false, id: '', target: '', reply_to: '', cancel: false, rate_bps: 0, pps: 0, threads: 0, interval_ms: 0, [field]: value };
        const error = await settle(() => jobToSpec(wire, { host: '127.0.0.1', port: 9 }, DEFAULT_NODE_LIMITS, 1));
        if (error) assert.ok(error instanceof JobRejectedError);
        seen.node = outcome(error, '');
      }
      for (const [entry, got] of Object.entries(seen)) assert.equal(got, expected, `through ${entry}`);
      assert.ok(Object.keys(seen).length >= 3);
    });
  }
  // Expectations: a jobs file's "expect" object, submit's --max-loss / --max-rtt-p99 / --min-rate and a
  // raw control request. The terminal UI's add_job takes none, and nodes never see them.
  for (const [name, value, data, expected] of EXPECT_CASES) {
    it(`expect.${name} = ${JSON.stringify(value)}${Object.keys(data).length ? ` with ${JSON.stringify(data)}` : ''}: ${expected}`, async () => {
      const job = { nodes: ['m0'], data: { ...BASE, l: true, ...data }, expect: { [name]: value } };
      const seen: Record<string, string> = {};
      seen.file = outcome(await settle(() => parseJobsFile(JSON.stringify({ jobs: [job] }), 'jobs.json', known)), 'jobs.json: $.jobs[0]: ');
      seen.control = outcome(await settle(() => controlRequest(scheduler, { add_jobs: [{ json: JSON.stringify(job), where: '', all_nodes: false }] })), 'add_jobs[0]: ');
      if (typeof value === 'string' || typeof value === 'number') {
        const flags: JobFlags = {
          node: ['m0'], 'all-nodes': false, rate: typed(String(job.data.m)), duration: typed(String(BASE.t)), 'random-payload': false, latency: job.data.l,
          [EXPECT_FLAG[name]]: String(value),
        };
        seen.submit = outcome(await settle(() => controlRequest(scheduler, { add_jobs: [jobFromFlags(flags)] })), 'submit: ');
      }
      for (const [entry, got] of Object.entries(seen)) assert.equal(got, expected, `through ${entry}`);
    });
  }

  it('expectations that are met ride with the job: status shows them as written, units included', async () => {
    const job = { nodes: ['m0'], data: { ...BASE, l: true }, expect: { max_loss: '0.1%', max_rtt_p99: '0.5ms', min_rate: '99%' } };
    const { job_ids } = await controlRequest(scheduler, { add_jobs: [{ json: JSON.stringify(job), where: '', all_nodes: false }] });
    const { jobs } = await controlRequest(scheduler, { query: true, job_ids });
    assert.equal(jobs.length, 1);
    assert.deepEqual(jobs[0]!.expect, { max_loss: '0.1%', max_rtt_p99: '500us', min_rate: '99%' });
    const plain = await controlRequest(scheduler, { add_jobs: [{ json: JSON.stringify({ nodes: ['m0'], data: BASE }), where: '', all_nodes: false }] });
    assert.equal((await controlRequest(scheduler, { query: true, job_ids: plain.job_ids })).jobs[0]!.expect, undefined, 'a job without expectations shows none');
  });
});


describe('one job schema: the "expect" object itself', () => {
  const parse = (expect: unknown) => parseJobsFile(JSON.stringify({ jobs: [{ nodes: ['m0'], data: BASE, expect }] }), 'jobs.json', new Set(['m0']));

  it('refuses an unknown expectation, suggesting the one meant', () => {
    assert.throws(() => parse({ max_los: '1%' }), { message: 'jobs.json: $.jobs[0]: expect.max_los = "1%": unknown expectation (did you mean "max_loss"?); expected only max_loss, max_rtt_p99, min_rate' });
  });
  it('refuses an "expect" that is not an object', () => {
    assert.throws(() => parse('1%'), { message: 'jobs.json: $.jobs[0]: expect = "1%": expected an object {"max_loss": "0.1%", "max_rtt_p99": "500us", "min_rate": "99%"}' });
  });
  it('takes null and {} as no expectations', () => {
    assert.equal(parse(null)[0]!.expect, undefined);
    assert.equal(parse({})[0]!.expect, undefined);
  });
});
