import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

const README = new URL('../../README.md', import.meta.url);
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TIME_KEYS = ['created_at', 'sent_at', 'started_at', 'finished_at', 'down_since', 'at'];

/** The README's fenced block after `<!-- json-shape:NAME -->`. */
function readmeBlock(name: string): string {
  const text = readFileSync(README, 'utf8');
  const match = new RegExp(`<!-- json-shape:${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  assert.ok(match, `README.md has no block marked <!-- json-shape:${name} -->`);
  return match[1]!;
}

/** The `pktgen submit ...` the README's examples come from, as arguments (after the binary). */
function exampleJob(): string[] {
  const command = readmeBlock('command').trim();
  assert.match(command, /^pktgen submit .* --wait$/, 'README: the example job\'s command line');
  return command.split(/\s+/).slice(1);
}

/** Every key path of a JSON value (a.b.c), objects walked; a list's items as a[]. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.length > 0 ? keyPaths(value[0], `${prefix}[]`) : [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(inner, path)];
  });
}

/** Every time field in a JSON value, by path. */
function times(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return TIME_KEYS.includes(key) ? [[path, inner] as [string, unknown]] : times(inner, path);
  });
}

// The README documents the JSON and CSV shape with real output (npm run readme:shape writes it); this
// runs the README's example job on the built binaries and fails when the README's keys drift from what
// the code prints.
describe('one JSON shape (built binaries): README examples, status --json, submit --wait --json and status --csv agree', function () {
  this.timeout(120_000);
  let dir: string;
  let control: string;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  let submitted: { jobs: unknown[] };
  let status: { nodes: unknown[]; jobs: Array<{ id: string; finished_at: string | null; stats: { rtt_us: { p99: number } } }> };
  let csv: string[];

  /** `pktgen ARGS`' output; exit 1 is fine for submit --wait (a loaded machine may miss the example's expectations: the shape is the same). */
  const cli = async (...args: string[]) => {
    const result = await execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
    assert.ok(result.exitCode === 0 || (args[0] === 'submit' && result.exitCode === 1), `pktgen ${args.join(' ')}: exit ${result.exitCode}: ${result.stderr}`);
    return result.stdout;
  };

  before(async () => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-shape-'));
    const [schedulerPort, controlPort, port, reflect] = [await freePort(), await freePort(), await freePort(), await freePort()];
    control = `127.0.0.1:${controlPort}`;
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', 'm0', '--scheduler-port', String(schedulerPort), '--reflect-port', String(reflect)]);
    children.push(serve);
    await waitForOutput(serve, /pktgen node .* listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port, reflector: `127.0.0.1:${reflect}` }] }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]);
    children.push(schedule);
    await waitForOutput(schedule, /pktgen scheduler listening on/);
    submitted = JSON.parse(await cli(...exampleJob(), '--json'));
    status = JSON.parse(await cli('status', '--json'));
    csv = (await cli('status', '--csv')).trim().split('\n');
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a node in status --json has the keys of the README example', () => {
    assert.deepEqual(keyPaths(status.nodes[0]), keyPaths(JSON.parse(readmeBlock('node'))), `real output:\n${JSON.stringify(status.nodes[0], null, 2)}`);
  });

  it('a job in status --json has the keys of the README example, and submit --wait --json prints the same shape', () => {
    const job = status.jobs[0];
    assert.deepEqual(keyPaths(job), keyPaths(JSON.parse(readmeBlock('job'))), `real output:\n${JSON.stringify(job, null, 2)}`);
    assert.deepEqual(keyPaths(submitted.jobs[0]), keyPaths(job));
  });

  it('status --csv has the README header, and its columns are the job\'s JSON paths', () => {
    assert.equal(csv[0], readmeBlock('csv-header'));
    const paths = keyPaths(status.jobs[0]);
    const header = csv[0]!.split(',');
    const row = csv[1]!.split(',');
    header.forEach((column, i) => {
      // A key "data" or "expect" holds only when set (pps, min_rate here) has its column all the same, empty.
      const optional = !paths.includes(column) && paths.includes(column.slice(0, column.lastIndexOf('.'))) && row[i] === '';
      assert.ok(paths.includes(column) || optional, `CSV column ${column} is no key path of the job's JSON`);
    });
    assert.equal(row[header.indexOf('stats.rtt_us.p99')], String(status.jobs[0]!.stats.rtt_us.p99));
  });

  it('every time is ISO 8601 UTC with milliseconds, in JSON and CSV alike (null or empty when not yet)', () => {
    const found = [...times(status), ...times(submitted)];
    assert.ok(found.length >= 9, 'the jobs\' four times and the node\'s down_since, twice');
    for (const [path, value] of found) assert.ok(value === null || ISO_MS.test(String(value)), `${path} = ${JSON.stringify(value)}`);
    const header = csv[0]!.split(',');
    const row = csv[1]!.split(',');
    for (const key of ['created_at', 'sent_at', 'started_at', 'finished_at']) assert.match(row[header.indexOf(key)]!, ISO_MS, key);
    assert.equal(row[header.indexOf('finished_at')], status.jobs[0]!.finished_at);
  });
});
