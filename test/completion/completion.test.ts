import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { bashScript } from '../../src/completion/bash.js';
import { completionSpec, type CommandSpec } from '../../src/completion/spec.js';
import { zshScript } from '../../src/completion/zsh.js';
import { loadCliConfig } from '../../src/help/reference.js';

const hasZsh = (await execa('zsh', ['-c', 'true'], { reject: false })).exitCode === 0;

describe('shell completion', () => {
  let spec: CommandSpec[];
  let dir: string;
  let bashFile: string;
  before(async function () {
    this.timeout(60_000);
    spec = completionSpec('pktgen', (await loadCliConfig()).commands);
    dir = mkdtempSync(join(tmpdir(), 'pktgen-completion-'));
    bashFile = join(dir, 'pktgen.bash');
    writeFileSync(bashFile, bashScript('pktgen', spec));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** What bash offers for the command line `words` (the last word is the one being completed). */
  async function bashCompletes(...words: string[]): Promise<string[]> {
    const script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _pktgen_complete; printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout, stderr } = await execa('bash', ['-c', script, 'bash', bashFile, 'pktgen', ...words]);
    assert.equal(stderr, '');
    return stdout.split('\n').filter(Boolean);
  }

  it('bash: completes command names', async () => {
    assert.deepEqual(await bashCompletes('s'), ['schedule', 'serve', 'status', 'submit']);
    assert.deepEqual(await bashCompletes('auto'), ['autocomplete']);
  });

  it('bash: completes the flags of the command on the line, with short and --no- forms', async () => {
    assert.deepEqual(await bashCompletes('serve', '--max-q'), ['--max-queue']);
    assert.deepEqual(await bashCompletes('serve', '--no-'), ['--no-gso']);
    assert.deepEqual(await bashCompletes('schedule', '--exit'), ['--exit-when-done']);
    // A flag of another command is not offered; hidden flags are not either.
    assert.deepEqual(await bashCompletes('submit', '--max-q'), []);
    assert.deepEqual(await bashCompletes('serve', '--reflect-d'), []);
  });

  it('bash: completes closed value lists and arguments', async () => {
    assert.deepEqual(await bashCompletes('schedule', '--log-format', ''), ['human', 'json']);
    assert.deepEqual(await bashCompletes('autocomplete', ''), ['bash', 'zsh']);
    assert.deepEqual(await bashCompletes('help', 'su'), ['submit']);
  });

  it('bash: registers the function for pktgen, with file names as the default', async () => {
    const { stdout } = await execa('bash', ['-c', 'source "$1"; complete -p pktgen', 'bash', bashFile]);
    assert.equal(stdout, 'complete -o default -F _pktgen_complete pktgen');
  });

  it('zsh: lists every command and flag, and parses', async function () {
    const script = zshScript('pktgen', spec);
    for (const command of spec) {
      assert.match(script, new RegExp(`^    '${command.id}:`, 'm'), command.id);
      for (const flag of command.flags) assert.ok(script.includes(`--${flag.name}`), `${command.id} --${flag.name}`);
    }
    assert.match(script, /'--log-format\[log line format \(stderr\)\]:log-format:\(human json\)'/);
    assert.match(script, /'\(-j --jobs\)'\{-j,--jobs\}'\[jobs file\\: .*\]:jobs:_files'/);
    assert.match(script, /^compdef _pktgen pktgen$/m);
    if (!hasZsh) this.skip(); // the syntax check needs zsh (.ci/run installs it)
    const file = join(dir, '_pktgen');
    writeFileSync(file, script);
    const { exitCode, stderr } = await execa('zsh', ['-n', file], { reject: false });
    assert.equal(stderr, '');
    assert.equal(exitCode, 0);
  });

  it('zsh: loads under compinit and registers _pktgen for pktgen', async function () {
    if (!hasZsh) this.skip();
    const file = join(dir, '_pktgen-load');
    writeFileSync(file, zshScript('pktgen', spec));
    const { stdout, stderr } = await execa('zsh', ['-f', '-c', 'autoload -Uz compinit && compinit -u -D && source "$1" && print -r -- $_comps[pktgen]', 'zsh', file], {
      env: { HOME: dir },
    });
    assert.equal(stderr, '');
    assert.equal(stdout, '_pktgen');
  });
});
