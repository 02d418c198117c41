import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigFile } from '../../src/config/file.js';
import { userConfigDir } from '../../src/config/paths.js';
import { UserError } from '../../src/errors.js';

const uid = process.geteuid!();

async function refused(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  const error = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(error instanceof UserError, String(error));
  assert.equal(error.exitCode, 2);
  for (const pattern of patterns) assert.match(error.message, pattern);
}

describe('config file: reading and trusting it', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pktgen-config-'));
    path = join(dir, 'config.toml');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string, mode = 0o644): void => {
    writeFileSync(path, text);
    chmodSync(path, mode);
  };

  it('reads the sections, each setting with its line; comments are allowed', async () => {
    write('# node on this host\n[serve]\nport = 1731 # second node\nallow-from = ["10.0.0.0/8"]\n\n[schedule]\n"state-dir" = "/var/lib/pktgen"\n');
    const file = await readConfigFile(path, uid);
    assert.deepEqual(file?.sections.get('serve')?.settings.get('port'), { value: 1731, line: 3 });
    assert.deepEqual(file?.sections.get('serve')?.settings.get('allow-from'), { value: ['10.0.0.0/8'], line: 4 });
    assert.deepEqual(file?.sections.get('schedule'), { line: 6, settings: new Map([['state-dir', { value: '/var/lib/pktgen', line: 7 }]]) });
  });

  it('is undefined when there is no file (the default one is optional)', async () => {
    assert.equal(await readConfigFile(path, uid), undefined);
  });

  it('refuses a file writable by group or others, with the chmod that fixes it', async () => {
    write('[serve]\n', 0o664);
    await refused(readConfigFile(path, uid), new RegExp(`^config file ${path} is writable by group or others \\(mode 0664\\), so another user could change how pktgen runs: run \`chmod 644 ${path}\``));
  });

  it('refuses a file owned by another user (an injected uid), with the chown that fixes it', async () => {
    write('[serve]\n', 0o600);
    await refused(readConfigFile(path, uid + 4242), new RegExp(`is owned by uid ${uid}, not by uid ${uid + 4242} that pktgen runs as, so another user could change how pktgen runs: run \`chown ${uid + 4242} `));
  });

  it('judges a symbolic link by the file it points to (dotfile managers link config files)', async () => {
    write('[serve]\nport = 1\n', 0o666);
    const link = join(dir, 'link.toml');
    symlinkSync(path, link);
    await refused(readConfigFile(link, uid), /writable by group or others/);
    chmodSync(path, 0o600);
    assert.equal((await readConfigFile(link, uid))?.sections.get('serve')?.settings.get('port')?.value, 1);
  });

  it('refuses a folder and an unparsable file, naming the path', async () => {
    await refused(readConfigFile(dir, uid), new RegExp(`^config file ${dir} is not a regular file`));
    write('[serve\nport = 1\n');
    await refused(readConfigFile(path, uid), new RegExp(`^${path}:1:\\d+: .*: expected a TOML file`));
  });
});

describe('config file: where the default one is', () => {
  const home = () => '/home/u';
  it('$XDG_CONFIG_HOME/pktgen when absolute, else ~/.config/pktgen (as the cluster key)', () => {
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: '/x' }, home), '/x/pktgen');
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: 'relative' }, home), '/home/u/.config/pktgen');
    assert.equal(userConfigDir({}, home), '/home/u/.config/pktgen');
    assert.equal(userConfigDir({}, () => ''), undefined);
  });
});
