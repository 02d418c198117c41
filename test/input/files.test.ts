import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { parseJobsFile, parseNodesFile, readJobsFile, readNodesFile } from '../../src/input/files.js';
import { validateJobData } from '../../src/input/job.js';

const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const LEGACY_DATA = { m: 20, t: 30, w: 5, n: 15, s_min: 200, s_max: 800, r: true, l: true };

/** Runs `fn` and returns the ERR_INPUT UserError it throws (one line, exit code 2). */
function inputError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_INPUT');
    assert.equal(error.exitCode, 2);
    assert.doesNotMatch(error.message, /[\n\r\u2028\u2029]/);
    return error;
  }
  return assert.fail('expected an ERR_INPUT error, got none');
}

async function rejectsWith(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.equal(error.code, 'ERR_INPUT');
    assert.equal(error.message, message);
    return true;
  });
}

/** jobs.json text with one job: `fields` override the legacy job, `data` its data (undefined drops a key). */
function oneJob(fields: Record<string, unknown> = {}, data: Record<string, unknown> = {}): string {
  return JSON.stringify({ jobs: [{ nodes: ['m0'], priority: 1, data: { ...LEGACY_DATA, ...data }, ...fields }] });
}

function oneNode(fields: Record<string, unknown>): string {
  return JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', ...fields }] });
}

describe('scheduler: nodes.json and jobs.json', () => {
  describe('legacy files load unchanged', () => {
    it('reads the PROTOCOL.md nodes.json', () => {
      assert.deepEqual(parseNodesFile('{"nodes": [{"name": "m0", "ip": "127.0.0.1"}]}', 'nodes.json'), [
        { name: 'm0', host: '127.0.0.1', port: 1729 },
      ]);
    });

    it('reads the PROTOCOL.md jobs.json, with the extensions at their defaults', () => {
      const text = `{"jobs": [{"nodes": ["m0"], "priority": 1,
                       "data": {"m": 20, "t": 30, "w": 5, "n": 15, "s_min": 200, "s_max": 800,
                                "r": true, "l": true}}]}`;
      assert.deepEqual(parseJobsFile(text, 'jobs.json', new Set(['m0'])), [
        { nodes: ['m0'], priority: 1, data: LEGACY_DATA, target: '', timeoutS: 30, retries: 0 },
      ]);
    });

    it('loads examples/nodes.json and examples/jobs.json: short jobs on m0, mixed priorities', async () => {
      const nodes = await readNodesFile(example('nodes.json'));
      assert.deepEqual(nodes, [{ name: 'm0', host: '127.0.0.1', port: 1729 }]);
      const { jobs } = await readJobsFile(example('jobs.json'), new Set(nodes.map((node) => node.name)));
      assert.ok(jobs.length >= 3 && jobs.length <= 4);
      assert.ok(jobs.reduce((sum, job) => sum + job.data.w + job.data.t, 0) <= 8, 'the demo must stay short');
      assert.ok(new Set(jobs.map((job) => job.priority)).size > 1);
      assert.ok(jobs.some((job) => job.data.l) && jobs.some((job) => job.data.s_max === 0));
      // Legacy format: every data field present, no extension keys.
      const raw = JSON.parse(await readFile(example('jobs.json'), 'utf8')) as { jobs: Array<Record<string, unknown>> };
      for (const job of raw.jobs) {
        assert.deepEqual(Object.keys(job).sort(), ['data', 'nodes', 'priority']);
        assert.deepEqual(Object.keys(job.data as object).sort(), Object.keys(LEGACY_DATA).sort());
      }
    });

    it('loads examples/two-nodes.json and examples/extended-jobs.json', async () => {
      const nodes = await readNodesFile(example('two-nodes.json'));
      assert.deepEqual(nodes.map((node) => `${node.name}@${node.host}:${node.port}`), ['m0@127.0.0.1:1729', 'm1@127.0.0.1:1731']);
      const { jobs } = await readJobsFile(example('extended-jobs.json'), new Set(nodes.map((node) => node.name)));
      assert.ok(jobs.some((job) => job.target === 'm1'));
      assert.ok(jobs.some((job) => job.target.includes(':')));
      assert.ok(jobs.some((job) => job.timeoutS !== 30) && jobs.some((job) => job.retries > 0));
      assert.deepEqual(jobs.find((job) => job.data.sizes)?.data.sizes, [{ size: 64, weight: 7 }, { size: 594, weight: 4 }, { size: 1518, weight: 1 }]);
    });
  });

  describe('defaults and extensions', () => {
    it('fills w, n, s_max, r, l, priority, target, timeout and retries when absent', () => {
      const text = '{"jobs": [{"nodes": ["m0"], "data": {"m": 0, "t": 1, "s_min": 64}}]}';
      assert.deepEqual(parseJobsFile(text, 'jobs.json'), [{
        nodes: ['m0'], priority: 0, data: { m: 0, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false },
        target: '', timeoutS: 30, retries: 0,
      }]);
    });

    it('treats null as absent for optional fields', () => {
      const [job] = parseJobsFile(oneJob({ priority: null, target: null, timeout: null, retries: null }, { w: null, s_max: null, r: null }), 'jobs.json');
      assert.deepEqual([job!.priority, job!.target, job!.timeoutS, job!.retries, job!.data.w, job!.data.s_max, job!.data.r], [0, '', 30, 0, 0, 0, false]);
    });

    it('accepts 0 and 1 for r and l, as the legacy protobuf bool fields did', () => {
      const [job] = parseJobsFile(oneJob({}, { r: 1, l: 0 }), 'jobs.json');
      assert.equal(job!.data.r, true);
      assert.equal(job!.data.l, false);
    });

    it('reads target, timeout and retries; normalises HOST:PORT targets', () => {
      const cases: Array<[unknown, string]> = [['m1', 'm1'], ['10.0.0.7:9', '10.0.0.7:9'], [' gen-2.lab:9000 ', 'gen-2.lab:9000'], ['[::1]:9', '[::1]:9'], ['', '']];
      for (const [target, expected] of cases) {
        const [job] = parseJobsFile(oneJob({ target, timeout: 2.5, retries: 3 }), 'jobs.json', new Set(['m0', 'm1']));
        assert.deepEqual([job!.target, job!.timeoutS, job!.retries], [expected, 2.5, 3], String(target));
      }
    });

    it('reads node port and reflector (HOST:PORT, or a port on the node ip)', () => {
      const cases: Array<[Record<string, unknown>, string | undefined]> = [
        [{ port: 1731 }, undefined],
        [{ reflector: 1730 }, '127.0.0.1:1730'],
        [{ reflector: '1730' }, '127.0.0.1:1730'],
        [{ reflector: 'refl.lab:7' }, 'refl.lab:7'],
        [{ ip: '::1', reflector: 1730 }, '[::1]:1730'],
      ];
      for (const [fields, reflector] of cases) {
        const [node] = parseNodesFile(oneNode(fields), 'nodes.json');
        assert.equal(node!.reflector, reflector, JSON.stringify(fields));
        assert.equal(node!.port, fields.port ?? 1729);
      }
    });

    it('ignores unknown keys on the root, nodes and jobs (forward compatibility), not inside data', () => {
      const nodes = '{"comment": "lab A", "nodes": [{"name": "m0", "ip": "10.0.0.1", "rack": 4}]}';
      assert.equal(parseNodesFile(nodes, 'nodes.json').length, 1);
      assert.equal(parseJobsFile(oneJob({ comment: 'warm-up run', future: { x: 1 } }), 'jobs.json').length, 1);
      inputError(() => parseJobsFile(oneJob({}, { comment: 'x' }), 'jobs.json'));
    });

    it('keeps file order, and accepts unknown node names when no node list is given', () => {
      const text = JSON.stringify({ jobs: [3, 1, 2].map((priority) => ({ nodes: ['a', 'b'], priority, data: LEGACY_DATA })) });
      assert.deepEqual(parseJobsFile(text, 'jobs.json').map((job) => job.priority), [3, 1, 2]);
    });

    it('accepts hostnames, IPv4 and IPv6 literals as ip', () => {
      for (const ip of ['10.1.2.3', 'localhost', 'gen-1.lab.example.', 'svc_gen', '::1', 'fe80::1%eth0']) {
        assert.equal(parseNodesFile(oneNode({ ip }), 'nodes.json')[0]!.host, ip);
      }
    });

    it('checks a job data object under any name for the job', () => {
      assert.deepEqual(validateJobData({ m: 5, t: 2, s_min: 1500 }, 'submit'), { m: 5, t: 2, w: 0, n: 1, s_min: 1500, s_max: 0, r: false, l: false });
      assert.equal(inputError(() => validateJobData({ m: 5, s_min: 64 }, 'submit')).message, 'submit: t is missing: expected an integer duration 1..3600 s');
    });
  });

  describe('errors: the whole line', () => {
    it('names file, path, value and expectation for a field out of range', () => {
      const text = JSON.stringify({ jobs: [0, 1, 2].map((i) => ({ nodes: ['m0'], priority: i, data: { ...LEGACY_DATA, s_min: i === 2 ? 20 : 200 } })) });
      assert.equal(inputError(() => parseJobsFile(text, 'jobs.json')).message, 'jobs.json: $.jobs[2]: s_min = 20: expected an integer frame size 64..9000');
    });

    it('reports a duplicate node name with the first occurrence', () => {
      const text = '{"nodes": [{"name": "m0", "ip": "10.0.0.1"}, {"name": "m0", "ip": "10.0.0.2"}]}';
      assert.equal(inputError(() => parseNodesFile(text, 'nodes.json')).message, 'nodes.json: $.nodes[1].name = "m0": duplicate node name (first at $.nodes[0])');
    });

    it('reports two nodes on one address, naming both', () => {
      const text = '{"nodes": [{"name": "m0", "ip": "127.0.0.1"}, {"name": "m1", "ip": "127.0.0.1"}]}';
      assert.equal(inputError(() => parseNodesFile(text, 'nodes.json')).message,
        'nodes.json: $.nodes[1] = "127.0.0.1:1729": already the address of node m0 ($.nodes[0]); give node m1 its own "port" (or "ip")');
    });

    it('takes localhost, LOCALHOST. and ::ffff:127.0.0.1 for 127.0.0.1, and 0:0:0:0:0:0:0:1 for ::1', () => {
      const pairs: Array<[string, string]> = [['127.0.0.1', 'localhost'], ['LOCALHOST.', '127.0.0.1'], ['::ffff:127.0.0.1', 'localhost'], ['::1', '0:0:0:0:0:0:0:1']];
      for (const [first, second] of pairs) {
        const text = JSON.stringify({ nodes: [{ name: 'm0', ip: first, port: 1731 }, { name: 'm1', ip: second, port: 1731 }] });
        assert.match(inputError(() => parseNodesFile(text, 'nodes.json')).message, /^nodes\.json: \$\.nodes\[1\] = .*: already the address of node m0 \(\$\.nodes\[0\]: .*\); give node m1 its own "port"/);
      }
      // Another port, or another loopback address, is another agent.
      assert.equal(parseNodesFile(JSON.stringify({ nodes: [{ name: 'm0', ip: 'localhost' }, { name: 'm1', ip: '127.0.0.1', port: 1731 }, { name: 'm2', ip: '127.0.0.2' }] }), 'n').length, 3);
    });

    // Found by npm run fuzz (nodes-file): "LOCALHOST" and "localhost.", or "::1" and "0:0:0:0:0:0:0:1",
    // were two addresses; nodeAddressKey (node management) compares them as one.
    it('reports two nodes on one address however the host is written', () => {
      for (const [first, second] of [['LOCALHOST', 'localhost.'], ['::1', '0:0:0:0:0:0:0:1'], ['127.0.0.1', '::ffff:127.0.0.1']]) {
        const text = JSON.stringify({ nodes: [{ name: 'm0', ip: first }, { name: 'm1', ip: second }] });
        assert.match(inputError(() => parseNodesFile(text, 'nodes.json')).message, /^nodes\.json: \$\.nodes\[1\] = .*: already the address of node m0 \(\$\.nodes\[0\]/, `${first} and ${second}`);
      }
      const scoped = JSON.stringify({ nodes: [{ name: 'm0', ip: 'fe80::1%eth0' }, { name: 'm1', ip: 'fe80::1%eth1' }] });
      assert.equal(parseNodesFile(scoped, 'nodes.json').length, 2);
    });

    it('names the known nodes for an unknown one (first 10)', () => {
      const text = oneJob({ nodes: ['m0', 'm9'] });
      assert.equal(inputError(() => parseJobsFile(text, 'jobs.json', new Set(['m0', 'm1']))).message,
        'jobs.json: $.jobs[0]: nodes[1] = "m9": unknown node (known: "m0", "m1")');
      const many = new Set(Array.from({ length: 13 }, (_, i) => `n${i}`));
      assert.match(inputError(() => parseJobsFile(text, 'jobs.json', many)).message,
        /= "m0": unknown node \(known: "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9" and 3 more\)$/);
      assert.match(inputError(() => parseJobsFile(text, 'jobs.json', new Set())).message, /unknown node \(no nodes are known\)$/);
    });

    // Found by npm run fuzz (jobs-file): a key holding U+2028 put a raw line separator in the message.
    it('keeps a stray key with a line separator on one line', () => {
      for (const [key, shown] of [['\u2028s_max', '"\\u2028s_max"'], ['x\u2029', '"x\\u2029"']] as const) {
        const message = inputError(() => parseJobsFile(oneJob({}, { [key]: 1 }), 'jobs.json')).message;
        assert.doesNotMatch(message, /[\n\r\u2028\u2029]/);
        assert.ok(message.startsWith(`jobs.json: $.jobs[0]: ${shown} = 1: unknown field`), message);
      }
    });

    it('points at a typo inside data', () => {
      assert.equal(inputError(() => parseJobsFile(oneJob({}, { s_max: undefined, s_mxa: 800 }), 'jobs.json')).message,
        'jobs.json: $.jobs[0]: s_mxa = 800: unknown field (did you mean "s_max"?); expected only m, t, w, n, s_min, s_max, r, l, rate, pps, rate_bps, threads, interval, interval_ms, size, sizes');
    });

    it('wraps an address error from parseAddress', () => {
      assert.equal(inputError(() => parseJobsFile(oneJob({ target: 'gen1:99999' }), 'jobs.json')).message,
        'jobs.json: $.jobs[0]: target = "gen1:99999": expected a node name or HOST:PORT (port must be 1..65535)');
    });

    it('quotes strings and cuts long values', () => {
      const message = inputError(() => parseNodesFile(oneNode({ name: `${'x'.repeat(200)} y` }), 'nodes.json')).message;
      assert.equal(message, `nodes.json: $.nodes[0].name = "${'x'.repeat(37)}...": expected a node name of letters, digits, "_", "." and "-"`);
      const deep = `{"jobs": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
      assert.match(inputError(() => parseJobsFile(deep, 'jobs.json')).message, /^jobs\.json: \$\.jobs\[0\] = \[\.\.\.\]: expected an object/);
    });

    it('reports a missing file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pktgen-files-'));
      try {
        await rejectsWith(readJobsFile(join(dir, 'jobs.json')), `${join(dir, 'jobs.json')}: cannot read file: ENOENT (no such file)`);
        await rejectsWith(readNodesFile(dir), `${dir}: cannot read file: EISDIR (is a directory)`);
      } finally {
        await rm(dir, { recursive: true });
      }
    });
  });

  describe('errors: path and expectation', () => {
    const bad: Array<{ name: string; text: string; path: string; expected: string; file?: 'nodes' | 'jobs'; known?: string[] }> = [
      { name: 'root not an object', text: '[]', path: '$ = []', expected: 'expected an object {"jobs": [...]}' },
      { name: 'a nodes file given as jobs', text: '{"nodes": []}', path: '$.jobs is missing', expected: 'expected an array of jobs (this looks like a nodes file)' },
      { name: 'jobs not an array', text: '{"jobs": {}}', path: '$.jobs = {}', expected: 'expected an array of jobs' },
      { name: 'job not an object', text: '{"jobs": [5]}', path: '$.jobs[0] = 5', expected: 'expected an object {"nodes": [...], "data": {...}}' },
      { name: 'nodes missing', text: oneJob({ nodes: undefined }), path: '$.jobs[0]: nodes is missing', expected: 'expected a non-empty array of node names' },
      { name: 'nodes empty', text: oneJob({ nodes: [] }), path: '$.jobs[0]: nodes = []', expected: 'expected a non-empty array of node names' },
      { name: 'nodes a string', text: oneJob({ nodes: 'm0' }), path: '$.jobs[0]: nodes = "m0"', expected: 'expected a non-empty array of node names' },
      { name: 'node name a number', text: oneJob({ nodes: [0] }), path: '$.jobs[0]: nodes[0] = 0', expected: 'expected a node name of letters, digits, "_", "." and "-"' },
      { name: 'priority fractional', text: oneJob({ priority: 1.5 }), path: '$.jobs[0]: priority = 1.5', expected: 'expected an integer priority (lower runs first)' },
      { name: 'priority a string', text: oneJob({ priority: '1' }), path: '$.jobs[0]: priority = "1"', expected: 'expected an integer priority (lower runs first)' },
      { name: 'data missing', text: oneJob({ data: undefined }), path: '$.jobs[0]: data is missing', expected: 'expected an object {"m": ..., "t": ..., "s_min": ...}' },
      { name: 'data an array', text: oneJob({ data: [] }), path: '$.jobs[0]: data = []', expected: 'expected an object {"m": ..., "t": ..., "s_min": ...}' },
      { name: 'm missing', text: oneJob({}, { m: undefined }), path: '$.jobs[0]: m is missing', expected: 'expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)' },
      { name: 'm negative', text: oneJob({}, { m: -1 }), path: '$.jobs[0]: m = -1', expected: 'expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)' },
      { name: 'm too high', text: oneJob({}, { m: 100_001 }), path: '$.jobs[0]: m = 100001', expected: 'expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)' },
      { name: 'm a string', text: oneJob({}, { m: '20' }), path: '$.jobs[0]: m = "20"', expected: 'expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)' },
      { name: 'm huge', text: oneJob().replace('"m":20', '"m":1e400'), path: '$.jobs[0]: m = Infinity', expected: 'expected an integer rate 0..100000 Mbit/s (0 = as fast as possible)' },
      { name: 't zero', text: oneJob({}, { t: 0 }), path: '$.jobs[0]: t = 0', expected: 'expected an integer duration 1..3600 s' },
      { name: 't fractional', text: oneJob({}, { t: 1.5 }), path: '$.jobs[0]: t = 1.5', expected: 'expected an integer duration 1..3600 s' },
      { name: 'w too long', text: oneJob({}, { w: 3601 }), path: '$.jobs[0]: w = 3601', expected: 'expected an integer warm-up 0..3600 s' },
      { name: 'n too many', text: oneJob({}, { n: 1025 }), path: '$.jobs[0]: n = 1025', expected: 'expected an integer flow count 0..1024 (0 = 1 flow)' },
      { name: 's_min too big', text: oneJob({}, { s_min: 9001 }), path: '$.jobs[0]: s_min = 9001', expected: 'expected an integer frame size 64..9000' },
      { name: 's_max below s_min', text: oneJob({}, { s_max: 100 }), path: '$.jobs[0]: s_max = 100', expected: 'expected 0 (= s_min) or an integer frame size 200..9000' },
      { name: 's_max too big', text: oneJob({}, { s_max: 9001 }), path: '$.jobs[0]: s_max = 9001', expected: 'expected 0 (= s_min) or an integer frame size 200..9000' },
      { name: 'r a string', text: oneJob({}, { r: 'yes' }), path: '$.jobs[0]: r = "yes"', expected: 'expected true or false' },
      { name: 'l a 2', text: oneJob({}, { l: 2 }), path: '$.jobs[0]: l = 2', expected: 'expected true or false' },
      { name: 'a job key inside data', text: oneJob({}, { retries: 2 }), path: '$.jobs[0]: retries = 2', expected: '"retries" belongs in the job, next to "data", not inside it' },
      { name: 'an unknown key in data', text: oneJob({}, { 'x y': 1 }), path: '$.jobs[0]: "x y" = 1', expected: 'unknown field; expected only m, t, w, n, s_min, s_max, r, l, rate, pps, rate_bps, threads, interval, interval_ms, size, sizes' },
      { name: 'a key in another case', text: oneJob({}, { M: 1 }), path: '$.jobs[0]: M = 1', expected: 'unknown field (did you mean "m"?); expected only m, t, w, n, s_min, s_max, r, l, rate, pps, rate_bps, threads, interval, interval_ms, size, sizes' },
      { name: 'target a number', text: oneJob({ target: 9 }), path: '$.jobs[0]: target = 9', expected: 'expected a node name or HOST:PORT' },
      { name: 'target an ip without port', text: oneJob({ target: '10.0.0.1' }), path: '$.jobs[0]: target = "10.0.0.1"', expected: 'expected a node name or HOST:PORT (missing port)' },
      { name: 'target v6 without port', text: oneJob({ target: '[::1]' }), path: '$.jobs[0]: target = "[::1]"', expected: 'expected a node name or HOST:PORT (missing port)' },
      { name: 'target without host', text: oneJob({ target: ':9' }), path: '$.jobs[0]: target = ":9"', expected: 'expected a node name or HOST:PORT (missing host)' },
      { name: 'target with a bad host', text: oneJob({ target: 'a b:9' }), path: '$.jobs[0]: target = "a b:9"', expected: 'expected a node name or HOST:PORT ("a b" is not an IP address or host name)' },
      { name: 'target an unknown node', text: oneJob({ target: 'm7' }), known: ['m0'], path: '$.jobs[0]: target = "m7"', expected: 'unknown node (known: "m0"); for a host, write HOST:PORT' },
      { name: 'timeout zero', text: oneJob({ timeout: 0 }), path: '$.jobs[0]: timeout = 0', expected: 'expected seconds of grace past w + t, above 0 and up to 86400' },
      { name: 'timeout a string', text: oneJob({ timeout: '30' }), path: '$.jobs[0]: timeout = "30"', expected: 'expected seconds of grace past w + t, above 0 and up to 86400' },
      { name: 'retries negative', text: oneJob({ retries: -1 }), path: '$.jobs[0]: retries = -1', expected: 'expected an integer 0..100 (re-runs after a failure or loss)' },
      { name: 'retries fractional', text: oneJob({ retries: 0.5 }), path: '$.jobs[0]: retries = 0.5', expected: 'expected an integer 0..100 (re-runs after a failure or loss)' },
      { file: 'nodes', name: 'a jobs file given as nodes', text: '{"jobs": []}', path: '$.nodes is missing', expected: 'expected an array of nodes (this looks like a jobs file)' },
      { file: 'nodes', name: 'node not an object', text: '{"nodes": ["m0"]}', path: '$.nodes[0] = "m0"', expected: 'expected an object {"name": ..., "ip": ...}' },
      { file: 'nodes', name: 'name missing', text: '{"nodes": [{"ip": "10.0.0.1"}]}', path: '$.nodes[0].name is missing', expected: 'expected a node name of letters, digits, "_", "." and "-"' },
      { file: 'nodes', name: 'name empty', text: oneNode({ name: '' }), path: '$.nodes[0].name = ""', expected: 'expected a node name of letters, digits, "_", "." and "-"' },
      { file: 'nodes', name: 'name with a space', text: oneNode({ name: 'm 0' }), path: '$.nodes[0].name = "m 0"', expected: 'expected a node name of letters, digits, "_", "." and "-"' },
      { file: 'nodes', name: 'ip missing', text: oneNode({ ip: undefined }), path: '$.nodes[0].ip is missing', expected: 'expected an IP address or host name' },
      { file: 'nodes', name: 'ip short a byte', text: oneNode({ ip: '10.0.0' }), path: '$.nodes[0].ip = "10.0.0"', expected: 'expected an IP address or host name' },
      { file: 'nodes', name: 'ip out of range', text: oneNode({ ip: '10.0.0.256' }), path: '$.nodes[0].ip = "10.0.0.256"', expected: 'expected an IP address or host name' },
      { file: 'nodes', name: 'ip with a port', text: oneNode({ ip: '10.0.0.1:1729' }), path: '$.nodes[0].ip = "10.0.0.1:1729"', expected: 'expected an IP address or host name' },
      { file: 'nodes', name: 'ip a number', text: oneNode({ ip: 167772161 }), path: '$.nodes[0].ip = 167772161', expected: 'expected an IP address or host name' },
      { file: 'nodes', name: 'port zero', text: oneNode({ port: 0 }), path: '$.nodes[0].port = 0', expected: 'expected a port 1..65535' },
      { file: 'nodes', name: 'port too high', text: oneNode({ port: 65536 }), path: '$.nodes[0].port = 65536', expected: 'expected a port 1..65535' },
      { file: 'nodes', name: 'port a string', text: oneNode({ port: '1729' }), path: '$.nodes[0].port = "1729"', expected: 'expected a port 1..65535' },
      { file: 'nodes', name: 'reflector port zero', text: oneNode({ reflector: 0 }), path: '$.nodes[0].reflector = 0', expected: "expected HOST:PORT, or a port 1..65535 on the node's own ip" },
      { file: 'nodes', name: 'reflector a bool', text: oneNode({ reflector: true }), path: '$.nodes[0].reflector = true', expected: "expected HOST:PORT, or a port 1..65535 on the node's own ip" },
      { file: 'nodes', name: 'reflector no port', text: oneNode({ reflector: 'refl' }), path: '$.nodes[0].reflector = "refl"', expected: "expected HOST:PORT, or a port 1..65535 on the node's own ip (missing port)" },
    ];
    for (const { name, text, path, expected, file = 'jobs', known } of bad) {
      it(`${file}: ${name}`, () => {
        const label = `${file}.json`;
        const error = inputError(() => (file === 'jobs' ? parseJobsFile(text, label, known && new Set(known)) : parseNodesFile(text, label)));
        assert.equal(error.message, `${label}: ${path}: ${expected}`);
      });
    }
  });

  describe('invalid JSON', () => {
    const cases: Array<[string, string]> = [
      ['{\n  "jobs": [\n    {"nodes":}\n  ]\n}', 'invalid JSON at line 3 column 14: expected a value'],
      ['{\r\n  "jobs": [\r\n    1 2]}', "invalid JSON at line 3 column 7: expected ','"],
      ['{"jobs": [1,]}', 'invalid JSON at line 1 column 13: expected a value'],
      ['{"jobs": [tru]}', 'invalid JSON at line 1 column 11: unexpected tru'],
      ['{"jobs": NaN}', 'invalid JSON at line 1 column 10: unexpected NaN'],
      ['{"jobs": \u0001}', 'invalid JSON at line 1 column 10: unexpected U+0001'],
      ['{"jobs":\n', 'invalid JSON at line 2 column 1: unexpected end of input'],
      ['{"jobs": [], }', 'invalid JSON at line 1 column 14: expected a double-quoted property name'],
      ['{"jobs": []}}', 'invalid JSON at line 1 column 13: unexpected text after the JSON value'],
      ['{"jobs": ["a\tb"]}', 'invalid JSON at line 1 column 11: control character inside a string (escape it)'],
      ['// lab A\n{"jobs": []}', 'invalid JSON at line 1 column 1: comments are not allowed in JSON'],
      ['  \n ', 'file is empty: expected a JSON object {"jobs": [...]}'],
    ];
    for (const [text, expected] of cases) {
      it(`${JSON.stringify(text)} -> ${expected}`, () => {
        assert.equal(inputError(() => parseJobsFile(text, 'jobs.json')).message, `jobs.json: ${expected}`);
      });
    }

    it('skips a UTF-8 byte-order mark', () => {
      assert.equal(parseNodesFile(`\uFEFF${oneNode({})}`, 'nodes.json').length, 1);
      assert.match(inputError(() => parseNodesFile('\uFEFF{,}', 'nodes.json')).message, /at line 1 column 2:/);
    });

    it('locates every error JSON.parse refuses, on the line and column it is on', () => {
      const corpus = ['{,}', '{"a":1,}', '[1 2]', '{"a":1 "b":2}', '{a:1}', '{"a": true1}', '{"a": -}', '{"a": 1.}', '{"a": 1e}',
        '{"a": "abc', '[1,2', '{"a"', '{"a":1}}', '"abc', '{"a": --1}', '[1]\n\n  x', '{"a":"\t"}', '{"a": 01}', '{"a": 1e+}',
        '{"a": -0.5e-3x}', '{ "a" : 1 , }', '{"a": "\\x"}', '{"a": "x\\u12"}', '[[[[[[1]]]]]]]'];
      for (const text of corpus) {
        const error = inputError(() => parseJobsFile(text, 'jobs.json'));
        assert.match(error.message, /^jobs\.json: invalid JSON at line \d+ column \d+: \S/, JSON.stringify(text));
      }
      assert.match(inputError(() => parseJobsFile('[1]\n\n  x', 'jobs.json')).message, /at line 3 column 3:/);
    });
  });

  describe('readJobsFile', () => {
    let dir: string;
    beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'pktgen-files-')); });
    afterEach(async () => { await rm(dir, { recursive: true }); });

    it('returns the text and a SHA-256 of the exact bytes, stable for the same bytes', async () => {
      const text = `${oneJob()}\n`;
      await writeFile(join(dir, 'a.json'), text);
      await writeFile(join(dir, 'b.json'), text);
      await writeFile(join(dir, 'c.json'), `${oneJob()} \n`);
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => readJobsFile(join(dir, `${name}.json`))));
      assert.equal(a!.text, text);
      assert.equal(a!.hash, createHash('sha256').update(text).digest('hex'));
      assert.equal(a!.hash, b!.hash);
      assert.notEqual(a!.hash, c!.hash);
      assert.deepEqual(a!.jobs, c!.jobs);
    });

    it('names the path it was given in errors', async () => {
      const path = join(dir, 'jobs.json');
      await writeFile(path, oneJob({}, { t: 0 }));
      await rejectsWith(readJobsFile(path), `${path}: $.jobs[0]: t = 0: expected an integer duration 1..3600 s`);
      const missing = join(dir, 'nope.json');
      await rejectsWith(readJobsFile(missing), `${missing}: cannot read file: ENOENT (no such file)`);
    });
  });
});
