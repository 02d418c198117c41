import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort, PKTGEN, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

/** The --print-config row of `flag`: [value, source]. */
function row(output: string, flag: string): [string, string] {
  const line = output.split('\n').find((text) => text.startsWith(`${flag} `));
  assert.ok(line, `no row for ${flag} in:\n${output}`);
  const [, value, source] = /^\S+\s+(.*?)\s{2,}(\S.*)$/.exec(line)!;
  return [value!, source!];
}

describe('configuration: flag > environment > file > default (built binary)', function () {
  this.timeout(60_000);
  let dir: string;
  let config: string;
  before(() => {
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-config-'));
    config = join(dir, 'config.toml');
    writeFileSync(config, '# two daemons on one host\n[serve]\nport = 3001\nname = "m1"\n\n[schedule]\nport = 3002\n', { mode: 0o600 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const printConfig = (command: string, args: string[], env: Record<string, string> = {}) =>
    execa(PKTGEN, [command, '--print-config', ...args], { reject: false, env: pktgenEnv(env) });

  for (const [command, variable, defaultPort, filePort] of [['serve', 'PKTGEN_SERVE_PORT', '1729', '3001'], ['schedule', 'PKTGEN_SCHEDULE_PORT', '1800', '3002']] as const) {
    it(`${command} --port: each layer wins over the ones below it, and --print-config says which`, async () => {
      const steps: Array<[string, string[], Record<string, string>, [string, string]]> = [
        ['default', [], {}, [defaultPort, 'default']],
        ['file', ['--config', config], {}, [filePort, `file ${config}:${command === 'serve' ? 3 : 7}`]],
        ['environment', ['--config', config], { [variable]: '4001' }, ['4001', `env ${variable}`]],
        ['flag', ['--config', config, '--port', '5001'], { [variable]: '4001' }, ['5001', 'flag --port']],
      ];
      for (const [layer, args, env, expected] of steps) {
        const result = await printConfig(command, args, env);
        assert.equal(result.exitCode, 0, `${layer}: ${result.stderr}`);
        assert.deepEqual(row(result.stdout, 'port'), expected, `${layer}:\n${result.stdout}`);
      }
    });
  }

  it('--print-config shows every setting with its source and the file, and never the key', async () => {
    const env = pktgenEnv({ PKTGEN_SERVE_MAX_RATE: '100' });
    const result = await execa(PKTGEN, ['serve', '--print-config', '--config', config, '--host', '127.0.0.1'], { reject: false, env });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^# config file: ${config}$`, 'm'));
    assert.deepEqual(row(result.stdout, 'host'), ['127.0.0.1', 'flag --host']);
    assert.deepEqual(row(result.stdout, 'name'), ['m1', `file ${config}:4`]);
    assert.deepEqual(row(result.stdout, 'max-rate'), ['100', 'env PKTGEN_SERVE_MAX_RATE']);
    assert.deepEqual(row(result.stdout, 'reflect-port'), ['1730', 'default']);
    assert.deepEqual(row(result.stdout, 'key-file'), [env.PKTGEN_KEY_FILE, 'env PKTGEN_KEY_FILE']);
    assert.ok(!result.stdout.includes(readFileSync(env.PKTGEN_KEY_FILE!, 'utf8').trim().slice(0, 16)), 'the key content is printed');
    // Every flag but --config and --print-config themselves has a row.
    for (const flag of ['scheduler-port', 'allow-from', 'status-retry', 'gso', 'state-dir', 'clock-offset']) row(result.stdout, flag);
  });

  it('reads the default file from $XDG_CONFIG_HOME/pktgen/config.toml', async () => {
    const home = join(dir, 'xdg');
    mkdirSync(join(home, 'pktgen'), { recursive: true });
    writeFileSync(join(home, 'pktgen', 'config.toml'), '[schedule]\ncontrol-port = 3003\n', { mode: 0o644 });
    const result = await printConfig('schedule', [], { XDG_CONFIG_HOME: home });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(row(result.stdout, 'control-port'), ['3003', `file ${join(home, 'pktgen', 'config.toml')}:2`]);
  });

  it('a node and a scheduler really start with the settings of the file and the environment', async () => {
    const [port, reflect, status, control] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const file = join(dir, 'run.toml');
    writeFileSync(file, `[serve]\nhost = "127.0.0.1"\nport = ${port}\nname = "from-file"\n\n[schedule]\nhost = "127.0.0.1"\ncontrol-port = ${control}\n`, { mode: 0o600 });
    const node = spawnPktgen(['serve', '--config', file], { PKTGEN_SERVE_REFLECT_PORT: String(reflect) });
    const scheduler = spawnPktgen(['schedule'], { PKTGEN_CONFIG: file, PKTGEN_SCHEDULE_PORT: String(status) });
    try {
      // Both watched from the start: a line printed before its watcher is attached would be missed.
      const [nodeOutput, schedulerOutput] = await Promise.all([waitForOutput(node, /pktgen node \S+ listening on/), waitForOutput(scheduler, /pktgen scheduler listening on/)]);
      assert.match(nodeOutput, new RegExp(`pktgen node from-file listening on 127\\.0\\.0\\.1:${port} \\(TCP, jobs\\) and 127\\.0\\.0\\.1:${reflect} \\(UDP, reflector\\)`));
      assert.match(schedulerOutput, new RegExp(`listening on 127\\.0\\.0\\.1:${status} \\(TCP, statuses from nodes\\) and 127\\.0\\.0\\.1:${control} \\(TCP, control API`));
    } finally {
      node.kill('SIGTERM');
      scheduler.kill('SIGTERM');
      await Promise.all([node, scheduler]);
    }
  });

  it('bad input exits 2 naming the variable or file:line, the key and what is expected', async () => {
    const bad = (name: string, text: string, mode = 0o600): string => {
      const path = join(dir, name);
      writeFileSync(path, text, { mode });
      chmodSync(path, mode);
      return path;
    };
    const secret = 'c0ffee00'.repeat(8);
    const keyFile = bad('key.toml', `[schedule]\nkey = "${secret}"\n`);
    const loose = bad('loose.toml', '[serve]\n', 0o666);
    const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
      ['a bad environment value', ['serve'], { PKTGEN_SERVE_PORT: 'many' }, /environment: PKTGEN_SERVE_PORT = many: expected an integer \(--port\)/],
      ['an unknown variable', ['schedule'], { PKTGEN_SCHEDULE_PROT: '1' }, /environment: PKTGEN_SCHEDULE_PROT: no such setting/],
      ['an unknown key', ['serve', '--config', bad('unknown.toml', '[serve]\nmax_rate = 10\n')], {}, /unknown\.toml:2: serve\.max_rate: unknown setting: expected one of .*max-rate/],
      ['a wrong type', ['serve', '--config', bad('type.toml', '[serve]\n\nverbose = "yes"\n')], {}, /type\.toml:3: serve\.verbose = yes: expected true or false/],
      ['an unparsable file', ['schedule', '--config', bad('broken.toml', '[schedule\n')], {}, /broken\.toml:1:\d+: .*expected a TOML file/],
      ['a key in the file', ['schedule', '--config', keyFile], {}, /key\.toml:2: schedule\.key: the cluster key never goes in a config file/],
      ['a file others may write', ['serve', '--config', loose], {}, /config file .*loose\.toml is writable by group or others \(mode 0666\)/],
      ['a missing named file', ['serve'], { PKTGEN_CONFIG: join(dir, 'none.toml') }, /config file .*none\.toml \(\$PKTGEN_CONFIG\) does not exist/],
    ];
    for (const [what, args, env, pattern] of cases) {
      const result = await execa(PKTGEN, [...args, '--print-config'], { reject: false, all: true, env: pktgenEnv(env) });
      assert.equal(result.exitCode, 2, `${what}: ${result.all}`);
      assert.match(result.all, pattern, what);
      assert.ok(!result.all.includes(secret.slice(0, 8)), `${what}: the key is echoed`);
      assert.ok(!/\n\s+at /.test(result.all), `${what}: a stack trace`);
    }
  });
});
