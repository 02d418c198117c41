import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import packageJson from '../../package.json' with { type: 'json' };
import { COMMANDS } from '../../src/index.js';

const built = fileURLToPath(new URL('../../dist/pktgen', import.meta.url));

// The single executable as a user without Node runs it: copied alone into another folder, with a
// PATH holding nothing (so neither /usr/bin/node nor node_modules/.bin/node can be picked up).
describe('single executable dist/pktgen', () => {
  let folder = '';
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(join(folder, 'pktgen'), args, {
      cwd: folder,
      env: { HOME: join(folder, 'home'), PATH: join(folder, 'empty-bin'), ...env },
      extendEnv: false,
      reject: false,
    });

  before(async function () {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
    this.timeout(60_000); // copying ~100 MiB
    folder = await mkdtemp(join(tmpdir(), 'pktgen-sea-'));
    await Promise.all([mkdir(join(folder, 'empty-bin')), mkdir(join(folder, 'home'))]);
    await copyFile(built, join(folder, 'pktgen'));
  });
  after(() => (folder ? rm(folder, { force: true, recursive: true }) : undefined));

  it('prints pktgen/<version> and the bundled Node 24 for --version', async () => {
    const { exitCode, stdout } = await run(['--version']);
    assert.equal(exitCode, 0);
    assert.match(stdout, new RegExp(`^pktgen/${packageJson.version.replaceAll('.', '\\.')} linux-x64 node-v24\\.`));
  });

  it('shows help and exits 0 for --help', async () => {
    const { exitCode, stdout } = await run(['--help']);
    assert.equal(exitCode, 0);
    assert.match(stdout, /USAGE\n\s+\$ pktgen/);
  });

  it('shows the help of every command, so each one is in the bundle and loads', async () => {
    // oclif's `help --help` is the root help, which the test above shows.
    for (const id of Object.keys(COMMANDS).filter((id) => id !== 'help')) {
      const { exitCode, stdout } = await run([...id.split(':'), '--help']);
      assert.equal(exitCode, 0, `pktgen ${id} --help`);
      assert.match(stdout, new RegExp(`\\$ pktgen ${id.replaceAll(':', ' ')}`));
    }
  });

  it('runs a command whose modules load only when it runs, from the chunks inside the executable', async () => {
    // status imports the control client when it runs: a chunk served from memory (sea/main.cjs).
    const key = join(folder, 'lazy.key');
    assert.equal((await run(['keygen', '--out', key])).exitCode, 0);
    const { exitCode, stderr } = await run(['status', '--scheduler', '127.0.0.1:1', '--key-file', key]);
    assert.equal(exitCode, 1, stderr);
    assert.match(stderr, /^Error: cannot reach a scheduler at 127\.0\.0\.1:1 /);
  });

  it('ignores NODE_OPTIONS, which is meant for a Node, not for pktgen', async () => {
    const { exitCode, stdout } = await run(['--version'], { NODE_OPTIONS: '--require=/no/such/preload.js' });
    assert.equal(exitCode, 0);
    assert.match(stdout, /^pktgen\//);
  });

  it('reports an unknown command with exit code 2', async () => {
    const { exitCode, stderr } = await run(['no-such-command']);
    assert.equal(exitCode, 2);
    assert.match(stderr, /^Error: no-such-command is not a pktgen command/);
  });
});
