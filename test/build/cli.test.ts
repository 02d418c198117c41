import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Errors } from '@oclif/core';
import { execa } from 'execa';
import { describeFailure } from '../../src/cli.js';
import { PeerError, UserError } from '../../src/errors.js';

const fixture = fileURLToPath(new URL('fixtures/cli-fixture.ts', import.meta.url));
const cli = (...args: string[]) => execa(process.execPath, ['--import', 'tsx', fixture, ...args], { reject: false });

describe('cli main()', () => {
  it('runs commands from the COMMANDS map, without importing oclif.commands.target', async () => {
    // package.json's target (dist/js/index.js) does not exist: only the map can supply `hello`.
    const { exitCode, stdout } = await cli('hello', '--name', 'pktgen');
    assert.equal(exitCode, 0);
    assert.equal(stdout, 'hello pktgen');
  });

  it('prints name/version platform-arch node-version for --version', async () => {
    const { exitCode, stdout } = await cli('--version');
    assert.equal(exitCode, 0);
    assert.match(stdout, /^pktgen\/\d+\.\d+\.\d+ linux-x64 node-v24\./);
  });

  it('lists the commands in --help', async () => {
    const { exitCode, stdout } = await cli('--help');
    assert.equal(exitCode, 0);
    assert.match(stdout, /hello\s+Say hello\./);
    assert.match(stdout, /fail\s+Fail in the way asked\./);
  });

  it('exits 2 with one line and no stack on a UserError', async () => {
    const { exitCode, stderr, stdout } = await cli('fail', 'user');
    assert.equal(exitCode, 2);
    assert.equal(stderr, 'Error: jobs.json: field "rate_mbps" is -1, expected a number above 0');
    assert.equal(stdout, '');
  });

  it('exits 1 with one line on a PeerError', async () => {
    const { exitCode, stderr } = await cli('fail', 'peer');
    assert.equal(exitCode, 1);
    assert.equal(stderr, 'Error: node 10.0.0.2:1729 closed the connection');
  });

  it('prints the stack and asks for a bug report on an unexpected error', async () => {
    const { exitCode, stderr } = await cli('fail', 'bug');
    assert.equal(exitCode, 1);
    assert.match(stderr, /^TypeError: an internal invariant broke\n\s+at /);
    assert.match(stderr, /please report it/);
  });

  it("leaves oclif's own errors to oclif: its message and exit code", async () => {
    const failed = await cli('fail', 'oclif');
    assert.equal(failed.exitCode, 3);
    assert.match(failed.stderr, /oclif says no/);
    const unknown = await cli('nosuch');
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /command nosuch not found/);
    const badFlag = await cli('hello', '--nope');
    assert.equal(badFlag.exitCode, 2);
    assert.match(badFlag.stderr, /--nope/);
  });
});

describe('describeFailure', () => {
  const cases: Array<[string, unknown, number | undefined, RegExp]> = [
    ['UserError: its exit code, one line', new UserError('bad flag'), 2, /^Error: bad flag$/],
    ['PeerError: exit 1, one line', new PeerError('ERR_X', 'peer said no'), 1, /^Error: peer said no$/],
    ['a bug: exit 1, stack and a report line', new RangeError('oops'), 1, /^RangeError: oops\n\s+at [^]*report/],
    ['a thrown non-Error: exit 1 and a report line', 'just a string', 1, /^Thrown value: 'just a string'\n.*report/],
  ];
  for (const [name, error, exitCode, text] of cases) {
    it(name, () => {
      const failure = describeFailure(error);
      assert.equal(failure?.exitCode, exitCode);
      assert.match(failure?.text ?? '', text);
    });
  }
  it("returns nothing for oclif's errors, which oclif reports", () => {
    assert.equal(describeFailure(new Errors.CLIError('x')), undefined);
  });
});
