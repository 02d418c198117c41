import assert from 'node:assert/strict';
import { closeSync, copyFileSync, cpSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { execa } from 'execa';
import { PKTGEN, freePort, requireBinary, waitResult } from '../helpers/binary.js';
import { makeKeyFile } from '../helpers/key.js';
import { until } from '../helpers/until.js';

// The service units in examples/systemd: checked by systemd-analyze verify, and (systemd does not run
// in this container: no PID 1 systemd, no D-Bus) their ExecStart lines run by hand as systemd would
// run them: %S, %C and Environment= expanded, stderr a journal-like stream named by $JOURNAL_STREAM.
const UNITS = fileURLToPath(new URL('../../examples/systemd/', import.meta.url));
const UNIT_NAMES = ['pktgen-serve.service', 'pktgen-schedule.service'];
const SYSTEM_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((dir) => existsSync(join(dir, 'sysinit.target')));
const BIN = '/usr/local/bin/pktgen';
const KEY = '/etc/pktgen/cluster.key';

/** The values of `key=` in a unit file's text, in order. */
function settings(text: string, key: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
}

/** The raw-mode drop-in with its settings uncommented, as its header tells a user to do. */
function rawDropIn(): string {
  const lines = readFileSync(join(UNITS, 'pktgen-serve.service.d', 'raw.conf'), 'utf8').split('\n');
  return lines.slice(lines.indexOf('# [Service]')).map((line) => line.replace(/^# /, '')).join('\n');
}

describe('systemd units (examples/systemd)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'pktgen-units-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sandbox the daemons: strict read-only system, no new privileges, no capabilities, a state directory', () => {
    for (const name of UNIT_NAMES) {
      const text = readFileSync(join(UNITS, name), 'utf8');
      for (const [key, value] of [['ProtectSystem', 'strict'], ['NoNewPrivileges', 'yes'], ['PrivateTmp', 'yes'], ['ProtectHome', 'yes'],
        ['StateDirectory', 'pktgen'], ['User', 'pktgen'], ['CapabilityBoundingSet', ''], ['AmbientCapabilities', ''],
        ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX']] as const) {
        assert.deepEqual(settings(text, key), [value], `${name}: ${key}`);
      }
      assert.match(settings(text, 'ExecStart')[0]!, / --state-dir %S\/pktgen /, `${name}: the state directory is passed through`);
      assert.deepEqual(settings(text, 'ExecReload'), [], `${name}: SIGHUP stops pktgen, so no reload may send it`);
    }
    // CAP_NET_RAW only in the commented raw-mode drop-in.
    assert.match(readFileSync(join(UNITS, 'pktgen-serve.service.d', 'raw.conf'), 'utf8'), /^# AmbientCapabilities=CAP_NET_RAW$/m);
    assert.deepEqual(settings(rawDropIn(), 'AmbientCapabilities'), ['CAP_NET_RAW']);
  });

  it('pass systemd-analyze verify, with and without the raw-mode drop-in', async function () {
    const found = await execa('systemd-analyze', ['--version'], { reject: false });
    if (found.exitCode !== 0 || !SYSTEM_UNITS) this.skip(); // no systemd-analyze, or no system units to verify against
    // An image root: the system's own units (sysinit.target ...), ours in /etc, an executable at ExecStart's path.
    const root = join(dir, 'root');
    cpSync(SYSTEM_UNITS!, join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    writeFileSync(join(root, BIN), `#!/bin/sh\nexec ${PKTGEN} "$@"\n`, { mode: 0o755 });
    const etc = join(root, 'etc/systemd/system');
    mkdirSync(etc, { recursive: true });
    for (const name of UNIT_NAMES) copyFileSync(join(UNITS, name), join(etc, name));
    const verify = () => execa('systemd-analyze', ['verify', `--root=${root}`, ...UNIT_NAMES], { reject: false });
    let result = await verify();
    // verify exits 0 on an unknown setting or a bad value and only warns: no output at all is the pass.
    assert.equal(result.stderr, '');
    assert.equal(result.exitCode, 0);
    mkdirSync(join(etc, 'pktgen-serve.service.d'));
    writeFileSync(join(etc, 'pktgen-serve.service.d', 'raw.conf'), rawDropIn());
    result = await verify();
    assert.equal(result.stderr, '');
    assert.equal(result.exitCode, 0);
  });

  it('serve and schedule, started by their ExecStart lines, run a job; logs carry no timestamp under journald', async () => {
    requireBinary();
    const key = makeKeyFile();
    const [nodePort, reflectPort, statusPort, controlPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const children: ChildProcess[] = [];
    const logs: Record<string, string> = {};
    /** Starts a unit's ExecStart as systemd would, plus `extra` flags (test ports on loopback). */
    const start = (unit: string, extra: string[]) => {
      const text = readFileSync(join(UNITS, unit), 'utf8');
      const expand = (word: string) => word.replaceAll('%S', join(dir, 'state')).replaceAll('%C', join(dir, 'cache'));
      const [bin, ...args] = settings(text, 'ExecStart')[0]!.split(' ').map(expand);
      assert.equal(bin, BIN);
      assert.ok(args.includes(KEY), `${unit} reads the key from ${KEY}`);
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'no-home') };
      for (const assignment of settings(text, 'Environment').map(expand)) {
        const [name, ...value] = assignment.split('=');
        env[name!] = value.join('=');
      }
      for (const sub of settings(text, 'StateDirectory').concat(settings(text, 'CacheDirectory'))) {
        mkdirSync(join(dir, settings(text, 'CacheDirectory').includes(sub) ? 'cache' : 'state', sub), { recursive: true, mode: 0o700 });
      }
      const logFile = join(dir, `${unit}.log`);
      // The journal's stream stands in as a file: $JOURNAL_STREAM names its device and inode, as systemd's does.
      const fd = openSync(logFile, 'w');
      const stat = fstatSync(fd, { bigint: true });
      env.JOURNAL_STREAM = `${stat.dev}:${stat.ino}`;
      // node:child_process, not execa: execa pipes a file through a stream, and the daemon's stderr must be the file itself.
      const child = spawn(PKTGEN, [...args.map((word) => (word === KEY ? key : word)), ...extra], { env, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      children.push(child);
      Object.defineProperty(logs, unit, { enumerable: true, get: () => readFileSync(logFile, 'utf8') });
      return child;
    };
    try {
      start('pktgen-serve.service', ['--host', '127.0.0.1', '--port', String(nodePort), '--reflect-port', String(reflectPort), '--scheduler-port', String(statusPort)]);
      start('pktgen-schedule.service', ['--host', '127.0.0.1', '--port', String(statusPort), '--control-port', String(controlPort)]);
      await until('both daemons listening', () => /listening on/.test(logs['pktgen-serve.service']!) && /listening on/.test(logs['pktgen-schedule.service']!), 30_000);
      const scheduler = ['--scheduler', `127.0.0.1:${controlPort}`, '--key-file', key];
      const cli = (...args: string[]) => execa(PKTGEN, [...args, ...scheduler], { reject: false, env: { PKTGEN_CACHE_DIR: join(dir, 'cache', 'pktgen'), HOME: join(dir, 'no-home') } });
      let result = await cli('submit', '--add-node', `n1=127.0.0.1:${nodePort}`);
      assert.equal(result.exitCode, 0, result.stderr);
      result = await cli('submit', '--node', 'n1', '--rate', '10', '--duration', '1', '--size', '500', '--wait', '--json');
      assert.equal(result.exitCode, 0, result.stderr);
      const job = waitResult<{ jobs: Array<{ state: string; stats: { tx_packets: number } | null }> }>(result.stdout).jobs[0];
      assert.equal(job?.state, 'succeeded');
      assert.ok((job?.stats?.tx_packets ?? 0) > 0);
      // The state directory (%S/pktgen) holds the scheduler's database; the helper was unpacked in the cache directory.
      assert.ok(readdirSync(join(dir, 'state', 'pktgen')).includes('scheduler.db'));
      assert.ok(readdirSync(join(dir, 'cache', 'pktgen')).length > 0, 'the emitter was unpacked into %C/pktgen');
      for (const [unit, text] of Object.entries(logs)) {
        const lines = text.trim().split('\n');
        assert.ok(lines.length > 0);
        for (const line of lines) assert.match(line, /^(DEBUG|INFO|WARN|ERROR) /, `${unit}: a log line without the timestamp journald adds: ${line}`);
      }
    } finally {
      const exits = children.map((child) => (child.exitCode !== null ? Promise.resolve([child.exitCode]) : once(child, 'exit')));
      for (const child of children) child.kill('SIGTERM');
      const codes = await Promise.all(exits);
      for (const [i, [code]] of codes.entries()) assert.equal(code, 0, `${UNIT_NAMES[i]} stopped on SIGTERM: exit ${code}`);
    }
  });
});
