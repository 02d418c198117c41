import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Errors } from '@oclif/core';
import { execa } from 'execa';
import { describeFailure, failureJson } from '../../src/failure.js';
import { PeerError, UserError } from '../../src/errors.js';
import { COMMANDS } from '../../src/index.js';
import { PKTGEN, freePort, pktgenEnv, requireBinary } from '../helpers/binary.js';

const fixture = fileURLToPath(new URL('fixtures/cli-fixture.ts', import.meta.url));
const cli = (...args: string[]) => execa(process.execPath, ['--import', 'tsx', fixture, ...args], { reject: false });

describe('cli main()', () => {
  it("runs the commands its entry module exports, not package.json's target", async () => {
    // package.json's target is src/cli.ts, whose COMMANDS have no `hello`: only the fixture's do.
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
    const badFlag = await cli('hello', '--nope');
    assert.equal(badFlag.exitCode, 2);
    assert.match(badFlag.stderr, /--nope/);
  });
  it('suggests the nearest command for a typo, as a usage error (exit 2, one line)', async () => {
    const typo = await cli('helo');
    assert.equal(typo.exitCode, 2);
    assert.equal(typo.stderr, 'Error: helo is not a pktgen command; did you mean hello? (pktgen help lists them)');
    const unknown = await cli('nosuch');
    assert.equal(unknown.exitCode, 2);
    assert.equal(unknown.stderr, 'Error: nosuch is not a pktgen command (pktgen help lists them)');
  });

  it('under --json prints the result as JSON, and a failure as {"error": {code, message}} on stdout', async () => {
    const hello = await cli('hello', '--json');
    assert.equal(hello.exitCode, 0);
    assert.deepEqual(JSON.parse(hello.stdout), { greeting: 'hello world' });
    const user = await cli('fail', 'user', '--json');
    assert.equal(user.exitCode, 2);
    assert.deepEqual(JSON.parse(user.stdout), { error: { code: 'ERR_USAGE', message: 'jobs.json: field "rate_mbps" is -1, expected a number above 0' } });
    assert.equal(user.stderr, '');
    const peer = await cli('fail', 'peer', '--json');
    assert.equal(peer.exitCode, 1);
    assert.equal(JSON.parse(peer.stdout).error.code, 'ERR_PEER_CLOSED');
  });

  it('under --json a bug is ERR_INTERNAL on stdout and keeps its stack and report request on stderr', async () => {
    const { exitCode, stdout, stderr } = await cli('fail', 'bug', '--json');
    assert.equal(exitCode, 1);
    assert.deepEqual(JSON.parse(stdout), { error: { code: 'ERR_INTERNAL', message: 'TypeError: an internal invariant broke' } });
    assert.match(stderr, /^TypeError: an internal invariant broke\n\s+at [^]*please report it/);
  });
});

describe('pktgen (built binary): help, version, typos and --json errors', function () {
  this.timeout(60_000);
  const pktgen = (...args: string[]) => execa(PKTGEN, args, { reject: false, env: pktgenEnv({ COLUMNS: '80' }) });
  before(requireBinary);

  it('-h shows the root help with every command', async () => {
    const { exitCode, stdout } = await pktgen('-h');
    assert.equal(exitCode, 0);
    assert.match(stdout, /^USAGE\n {2}\$ pktgen \[COMMAND\]$/m);
    for (const id of ['help', 'keygen', 'schedule', 'serve', 'status', 'submit']) assert.match(stdout, new RegExp(`^ {2}${id} +\\S`, 'm'));
  });

  it('`help status` shows the help of status', async () => {
    const { exitCode, stdout } = await pktgen('help', 'status');
    assert.equal(exitCode, 0);
    assert.match(stdout, /^Show the nodes, queues, jobs and results of a running scheduler\.\n\nUSAGE\n {2}\$ pktgen status \[JOB\]/);
    assert.match(stdout, /--scheduler=HOST\[:PORT\]/);
  });

  it('-v prints the version like --version; `serve -v` is still --verbose', async () => {
    const short = await pktgen('-v');
    const long = await pktgen('--version');
    assert.equal(short.exitCode, 0);
    assert.match(short.stdout, /^pktgen\/\d+\.\d+\.\d+ linux-x64 node-v24\./);
    assert.equal(short.stdout, long.stdout);
    // A bad port fails the parse before anything listens: proof that -v reached serve's flags.
    const serve = await pktgen('serve', '-v', '--port', '70000');
    assert.equal(serve.exitCode, 2);
    assert.equal(serve.stdout, '');
    assert.match(serve.stderr, /--port[^]*65535/);
  });

  it('`pktgen serv` suggests serve', async () => {
    const { exitCode, stdout, stderr } = await pktgen('serv');
    assert.equal(exitCode, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, 'Error: serv is not a pktgen command; did you mean serve? (pktgen help lists them)');
  });

  it('`status --json` with no scheduler prints a JSON error on stdout and exits non-zero', async () => {
    const port = await freePort();
    const down = await pktgen('status', '--json', '--scheduler', `127.0.0.1:${port}`);
    assert.equal(down.exitCode, 1);
    const { error } = JSON.parse(down.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'ERR_SCHEDULER_UNREACHABLE');
    assert.match(error.message, new RegExp(`^cannot reach a scheduler at 127\\.0\\.0\\.1:${port} `));
    assert.equal(down.stderr, '');
    const bad = await pktgen('submit', '--json', '--scheduler', '127.0.0.1:99999');
    assert.equal(bad.exitCode, 2);
    assert.deepEqual(JSON.parse(bad.stdout), { error: { code: 'ERR_ADDRESS', message: '--scheduler "127.0.0.1:99999": port must be 1..65535' } });
  });

  it('a bad --scheduler without --json is one line on stderr, exit 2', async () => {
    const { exitCode, stderr } = await pktgen('status', '--scheduler', 'localhost:0');
    assert.equal(exitCode, 2);
    assert.equal(stderr, 'Error: --scheduler "localhost:0": port must be 1..65535');
  });

  for (const id of ['', 'keygen', 'schedule', 'serve', 'status', 'submit']) {
    it(`${id || 'root'} --help fits 80 columns`, async () => {
      const { exitCode, stdout } = await pktgen(...(id ? [id] : []), '--help');
      assert.equal(exitCode, 0);
      const long = stdout.split('\n').filter((line) => line.length > 80);
      assert.deepEqual(long, []);
    });
  }
});

describe('help text', () => {
  // oclif wraps each paragraph to the terminal: a newline inside one would break a line mid-sentence.
  for (const [id, command] of Object.entries(COMMANDS)) {
    it(`${id}: a one-line summary of at most 80 characters, paragraphs without hard line breaks`, () => {
      assert.ok(command.summary ?? command.description, 'a summary or description');
      if (command.summary) assert.match(command.summary, /^[^\n]{1,80}$/);
      for (const paragraph of (command.description ?? '').split('\n\n')) assert.doesNotMatch(paragraph, /\n/);
    });
  }
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

describe('failureJson', () => {
  const cases: Array<[string, unknown, { code: string; message: string }]> = [
    ['a UserError: its code and message', new UserError('bad flag', 'ERR_INPUT'), { code: 'ERR_INPUT', message: 'bad flag' }],
    ['a PeerError: its code', new PeerError('ERR_X', 'peer said no'), { code: 'ERR_X', message: 'peer said no' }],
    ["an oclif error: a usage error", new Errors.CLIError('Unexpected argument: x'), { code: 'ERR_USAGE', message: 'Unexpected argument: x' }],
    ['a bug: ERR_INTERNAL with the error name', new RangeError('oops'), { code: 'ERR_INTERNAL', message: 'RangeError: oops' }],
  ];
  for (const [name, error, json] of cases) it(name, () => assert.deepEqual(failureJson(error), json));

  it("drops the lines oclif's parser puts around a flag's own error", () => {
    const error = new UserError('--scheduler "x:0": port must be 1..65535');
    error.message = `Parsing --scheduler \n\t${error.message}\nSee more help with --help`;
    assert.equal(failureJson(error).message, '--scheduler "x:0": port must be 1..65535');
    assert.equal(describeFailure(error)?.text, 'Error: --scheduler "x:0": port must be 1..65535');
  });
});
