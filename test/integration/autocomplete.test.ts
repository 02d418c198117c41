import assert from 'node:assert/strict';
import { execa } from 'execa';
import { bashScript } from '../../src/completion/bash.js';
import { completionSpec } from '../../src/completion/spec.js';
import { zshScript } from '../../src/completion/zsh.js';
import { loadCliConfig } from '../../src/help/reference.js';
import { PKTGEN, pktgenEnv, requireBinary } from '../helpers/binary.js';

describe('pktgen autocomplete (built binary)', function () {
  this.timeout(60_000);
  before(requireBinary);
  const pktgen = (...args: string[]) => execa(PKTGEN, args, { reject: false, env: pktgenEnv() });

  it('prints the bash and zsh scripts for every command of the binary', async () => {
    const spec = completionSpec('pktgen', (await loadCliConfig()).commands);
    const bash = await pktgen('autocomplete', 'bash');
    assert.equal(bash.exitCode, 0, bash.stderr);
    assert.equal(bash.stdout + '\n', bashScript('pktgen', spec));
    const zsh = await pktgen('autocomplete', 'zsh');
    assert.equal(zsh.exitCode, 0, zsh.stderr);
    assert.equal(zsh.stdout + '\n', zshScript('pktgen', spec));
    // The script works as the README says: sourced in bash, pktgen completes.
    const { stdout } = await execa('bash', ['-c', `source <("$1" autocomplete bash); COMP_WORDS=(pktgen serve --log-f); COMP_CWORD=2; _pktgen_complete; echo "\${COMPREPLY[@]}"`, 'bash', PKTGEN], { env: pktgenEnv() });
    assert.equal(stdout, '--log-format');
  });

  it('exits 2 naming the shells it knows for another shell', async () => {
    const result = await pktgen('autocomplete', 'fish');
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /Expected fish to be one of: bash, zsh/);
    assert.equal(result.stdout, '');
  });
});
