import assert from 'node:assert/strict';
import Schedule from '../../src/commands/schedule.js';
import Serve from '../../src/commands/serve.js';
import { parseConfigText, type ConfigFile } from '../../src/config/file.js';
import { checkSetting, envName, layerCandidates, layeredFlags, layerSettings, type FlagDefinitions } from '../../src/config/layer.js';
import { UserError } from '../../src/errors.js';

const SERVE = Serve.flags as unknown as FlagDefinitions;
const SCHEDULE = Schedule.flags as unknown as FlagDefinitions;
const PATH = '/etc/pktgen/config.toml';

const file = (text: string): ConfigFile => ({ path: PATH, sections: parseConfigText(text, PATH) });

/** The layered value of `flag` and where it came from, or 'default' when neither layer set it. */
function winner(command: string, flags: FlagDefinitions, flag: string, layers: { given?: boolean; env?: Record<string, string>; file?: string }): string {
  const settings = layerSettings({ command, flags, given: new Set(layers.given ? [flag] : []), env: layers.env ?? {}, file: layers.file === undefined ? undefined : file(layers.file) });
  const setting = settings.get(flag);
  if (!setting) return layers.given ? 'flag' : 'default';
  return setting.source.kind === 'env' ? `env ${setting.source.name} ${setting.text}` : `file ${setting.source.line} ${setting.text}`;
}

function refused(run: () => unknown, ...patterns: RegExp[]): string {
  const error = (() => {
    try {
      run();
    } catch (e) {
      return e;
    }
    return assert.fail('expected a refusal');
  })();
  assert.ok(error instanceof UserError, String(error));
  assert.equal(error.exitCode, 2);
  for (const pattern of patterns) assert.match(error.message, pattern);
  return error.message;
}

describe('config layer: precedence flag > environment > file > default', () => {
  const daemons: Array<[string, FlagDefinitions]> = [['serve', SERVE], ['schedule', SCHEDULE]];
  for (const [command, flags] of daemons) {
    const variable = envName(command, 'port');
    const env = { [variable]: '2001' };
    const text = `[${command}]\nport = 3001\n`;
    const cases: Array<[string, Parameters<typeof winner>[3], string]> = [
      ['the default alone', {}, 'default'],
      ['the file over the default', { file: text }, 'file 2 3001'],
      ['the environment over the file', { env, file: text }, `env ${variable} 2001`],
      ['the flag over the environment and the file', { given: true, env, file: text }, 'flag'],
    ];
    for (const [what, layers, expected] of cases) {
      it(`${command} --port: ${what}`, () => assert.equal(winner(command, flags, 'port', layers), expected));
    }
  }

  it('names each variable PKTGEN_<COMMAND>_<FLAG>, so serve and schedule on one host never share a port setting', () => {
    assert.equal(envName('serve', 'max-rate'), 'PKTGEN_SERVE_MAX_RATE');
    assert.equal(envName('schedule', 'state-dir'), 'PKTGEN_SCHEDULE_STATE_DIR');
    assert.equal(winner('schedule', SCHEDULE, 'port', { env: { PKTGEN_SERVE_PORT: '1' } }), 'default');
  });

  it('keeps PKTGEN_STATE_DIR and PKTGEN_KEY_FILE, below the per-command names and above the file', () => {
    const text = '[serve]\nstate-dir = "/f"\nkey-file = "/f.key"\n';
    assert.equal(winner('serve', SERVE, 'state-dir', { env: { PKTGEN_STATE_DIR: '/s' }, file: text }), 'env PKTGEN_STATE_DIR /s');
    assert.equal(winner('serve', SERVE, 'state-dir', { env: { PKTGEN_STATE_DIR: '/s', PKTGEN_SERVE_STATE_DIR: '/own' } }), 'env PKTGEN_SERVE_STATE_DIR /own');
    assert.equal(winner('schedule', SCHEDULE, 'key-file', { env: { PKTGEN_KEY_FILE: '/e.key' }, file: '[schedule]\nkey-file = "/f.key"\n' }), 'env PKTGEN_KEY_FILE /e.key');
  });

  it('takes an empty variable as unset', () => {
    assert.equal(winner('serve', SERVE, 'port', { env: { PKTGEN_SERVE_PORT: '' }, file: '[serve]\nport = 3001\n' }), 'file 2 3001');
  });

  it('covers every flag but --config, --print-config, --fresh and hidden test options', () => {
    const serve = layeredFlags(SERVE);
    assert.ok(serve.includes('max-rate') && serve.includes('gso') && serve.includes('clock-offset'));
    assert.ok(!serve.includes('config') && !serve.includes('print-config') && !serve.includes('reflect-drop-every'));
    const schedule = layeredFlags(SCHEDULE);
    assert.ok(schedule.includes('add-node') && schedule.includes('keep-for'));
    assert.ok(!schedule.includes('fresh'));
  });
});

describe('config layer: values become the flag\'s own command-line tokens', () => {
  const tokens = (command: string, flags: FlagDefinitions, layers: { env?: Record<string, string>; file?: string }) =>
    [...layerSettings({ command, flags, given: new Set(), env: layers.env ?? {}, file: layers.file === undefined ? undefined : file(layers.file) }).values()].flatMap((s) => s.tokens);

  it('booleans: true and false from the file, 1/0 and yes/no from the environment', () => {
    assert.deepEqual(tokens('serve', SERVE, { file: '[serve]\ngso = false\nverbose = true\n' }), ['--verbose', '--no-gso']);
    assert.deepEqual(tokens('serve', SERVE, { env: { PKTGEN_SERVE_GSO: '0', PKTGEN_SERVE_VERBOSE: 'yes' } }), ['--verbose', '--no-gso']);
  });

  it('lists: a TOML array is one token per item; an environment value splits at the flag\'s own delimiter', () => {
    assert.deepEqual(tokens('serve', SERVE, { file: '[serve]\nallow-from = ["10.0.0.0/8", "::1/128"]\n' }), ['--allow-from=10.0.0.0/8', '--allow-from=::1/128']);
    assert.deepEqual(tokens('serve', SERVE, { env: { PKTGEN_SERVE_ALLOW_FROM: '10.0.0.0/8,::1/128' } }), ['--allow-from=10.0.0.0/8,::1/128']);
    assert.deepEqual(tokens('schedule', SCHEDULE, { file: '[schedule]\nadd-node = ["m0=10.0.0.5", "m1=10.0.0.6,reflector=10.0.0.6:1730"]\n' }),
      ['--add-node=m0=10.0.0.5', '--add-node=m1=10.0.0.6,reflector=10.0.0.6:1730']);
  });

  it('numbers and strings both reach the flag\'s parser (a duration may be written 60 or "1m")', () => {
    assert.deepEqual(tokens('serve', SERVE, { file: '[serve]\nstatus-retry = 60\nclock-offset = "-1.5ms"\n' }), ['--status-retry=60', '--clock-offset=-1.5ms']);
  });
});

describe('config layer: errors name the variable or file:line, the key and what is expected', () => {
  const layer = (command: string, flags: FlagDefinitions, layers: { env?: Record<string, string>; file?: string }) => () =>
    layerSettings({ command, flags, given: new Set(), env: layers.env ?? {}, file: layers.file === undefined ? undefined : file(layers.file) });

  it('an unknown key in the file, with the keys it may be', () => {
    refused(layer('serve', SERVE, { file: '[serve]\n# ports\nprot = 1731\n' }), /^\/etc\/pktgen\/config\.toml:3: serve\.prot: unknown setting: expected one of host, port, /);
  });

  it('an unknown section, and a setting outside any section', () => {
    refused(layer('serve', SERVE, { file: '[serve]\nport = 1\n\n[sever]\nport = 2\n' }), /config\.toml:4: \[sever\]: unknown section: expected \[serve\] or \[schedule\]/);
    refused(() => parseConfigText('port = 1\n', PATH), /config\.toml:1: port = 1: expected a section such as \[serve\]/);
  });

  it('a wrong type', () => {
    refused(layer('serve', SERVE, { file: '[serve]\nport = true\n' }), /config\.toml:2: serve\.port = true: expected an integer$/);
    refused(layer('serve', SERVE, { file: '[serve]\nname = ["a", "b"]\n' }), /config\.toml:2: serve\.name = a,b: expected a string$/);
    refused(layer('serve', SERVE, { file: '[serve]\ngso = "no"\n' }), /config\.toml:2: serve\.gso = no: expected true or false/);
    refused(layer('serve', SERVE, { env: { PKTGEN_SERVE_VERBOSE: 'maybe' } }), /^environment: PKTGEN_SERVE_VERBOSE = maybe: expected true or false/);
  });

  it('an unparsable file, with line and column', () => {
    refused(() => parseConfigText('[serve]\nport = "1731\n', PATH), /^\/etc\/pktgen\/config\.toml:2:\d+: Invalid TOML document: .*: expected a TOML file/);
  });

  it('an unknown PKTGEN_<COMMAND>_ variable, and a command-line-only flag', () => {
    refused(layer('serve', SERVE, { env: { PKTGEN_SERVE_PROT: '1' } }), /^environment: PKTGEN_SERVE_PROT: no such setting/);
    refused(layer('schedule', SCHEDULE, { env: { PKTGEN_SCHEDULE_FRESH: '1' } }), /PKTGEN_SCHEDULE_FRESH: --fresh is taken from the command line only/);
    refused(layer('schedule', SCHEDULE, { file: '[schedule]\nfresh = true\n' }), /config\.toml:2: schedule\.fresh: --fresh is taken from the command line only/);
  });

  it('the key itself, in the file or the environment, without echoing it', () => {
    const secret = 'c0ffee00'.repeat(8);
    for (const message of [
      refused(layer('serve', SERVE, { file: `[serve]\nkey = "${secret}"\n` }), /config\.toml:2: serve\.key: the cluster key never goes in a config file/, /key-file/),
      refused(layer('schedule', SCHEDULE, { env: { PKTGEN_KEY: secret } }), /^environment: PKTGEN_KEY: the cluster key is never read from the environment/, /PKTGEN_KEY_FILE/),
      refused(layer('schedule', SCHEDULE, { env: { PKTGEN_SCHEDULE_KEY: secret } }), /PKTGEN_SCHEDULE_KEY: the cluster key/),
    ]) assert.ok(!message.includes(secret.slice(0, 8)), message);
  });

  it('a value the flag\'s own parser refuses: range, option, duration', async () => {
    const checked = async (command: string, flags: FlagDefinitions, layers: { env?: Record<string, string>; file?: string }) => {
      for (const [name, setting] of layer(command, flags, layers)()) await checkSetting(name, flags[name]!, setting);
    };
    const rejects = async (promise: Promise<unknown>, pattern: RegExp) => {
      const error = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
      assert.ok(error instanceof UserError && error.exitCode === 2, String(error));
      assert.match(error.message, pattern);
    };
    await rejects(checked('serve', SERVE, { env: { PKTGEN_SERVE_PORT: '70000' } }), /^environment: PKTGEN_SERVE_PORT = 70000: expected an integer less than or equal to 65535 \(--port\)$/);
    await rejects(checked('schedule', SCHEDULE, { file: '[schedule]\nlog-format = "xml"\n' }), /^\/etc\/pktgen\/config\.toml:2: schedule\.log-format = xml: expected one of: human, json \(--log-format\)$/);
    await rejects(checked('schedule', SCHEDULE, { file: '[schedule]\nkeep-for = "5x"\n' }), /config\.toml:2: schedule\.keep-for = 5x: expected a duration/);
    await checked('schedule', SCHEDULE, { file: '[schedule]\ndeadline = "30m"\nport = 1801\n' });
  });

  it('a bad value hidden by a flag or a variable above it is refused all the same', async () => {
    const given = new Set(['port']);
    const input = { command: 'serve', flags: SERVE, given, env: { PKTGEN_SERVE_PORT: '1731' }, file: file('[serve]\nport = 70000\n') };
    assert.equal(layerSettings(input).size, 0);
    const checks = layerCandidates(input).map(({ name, setting }) => checkSetting(name, SERVE[name]!, setting));
    await assert.rejects(Promise.all(checks), /config\.toml:2: serve\.port = 70000: expected an integer less than or equal to 65535/);
    refused(() => layerCandidates({ ...input, file: file('[serve]\nport = false\n') }), /serve\.port = false: expected an integer/); // alone, --deadline's need of --exit-when-done waits for the full parse
  });
});
