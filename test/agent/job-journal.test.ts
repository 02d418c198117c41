import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeAgent } from '../../src/agent/agent.js';
import { INTERRUPTED, JobJournal, journalName } from '../../src/agent/job-journal.js';
import { UserError } from '../../src/errors.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { DEFAULT_NODE_LIMITS } from '../../src/input/job.js';
import { encodeJob, encodeStatus, type Job, type Stats } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { createLogger } from '../../src/log.js';
import { FakeScheduler } from '../helpers/fake-scheduler.js';

const job: Partial<Job> = { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0 };
/** The address the journal is named after: a node on a fixed port (the agent itself listens on port 0). */
const LISTEN = { host: '127.0.0.1', port: 4242 };

describe('agent: the state file of remembered job ids (serve --state-dir)', () => {
  let dir: string;
  let scheduler: FakeScheduler;
  const agents: NodeAgent[] = [];
  const logLines: string[] = [];
  const log = createLogger({ write: (line) => logLines.push(line), level: 'debug' });
  let runs: number;

  /** A node agent on the state file in `dir`; each run takes `ms` and reports its own packet count. */
  async function startAgent(ms = 30, port = 0): Promise<{ agent: NodeAgent; port: number }> {
    const agent = new NodeAgent({
      name: 'm0', listen: { host: '127.0.0.1', port }, schedulerPort: scheduler.port, defaultTarget: { host: '127.0.0.1', port: 9 },
      allowFrom: new Allowlist(LOOPBACK_CIDRS, '--allow-from'), allowTarget: new Allowlist(LOOPBACK_CIDRS, '--allow-target'),
      limits: DEFAULT_NODE_LIMITS, maxQueue: 10, statusRetryMs: 5000, graceMs: 1000, helperPath: async () => '/nonexistent', log,
      journal: await JobJournal.open(join(dir, 'state'), LISTEN, log),
      run: async (spec, _helper, signal) => {
        runs++;
        await sleep(ms, undefined, { signal });
        return { tx_packets: 500 + runs, tx_bytes: 64, tx_mbps: spec.rateMbps } as Stats;
      },
    });
    agents.push(agent);
    return { agent, port: (await agent.start()).port };
  }
  const send = (port: number, fields: Partial<Job>): Promise<unknown> =>
    sendFrame({ host: '127.0.0.1', port }, encodeJob({ ...job, reply_to: `:${scheduler.port}`, ...fields }));
  const shown = (): string[] => scheduler.statuses.map((s) => `${s.type} ${s.job_id}${s.stats ? ` ${s.stats.tx_packets}` : ''}${s.reason ? `: ${s.reason}` : ''}`);
  const file = (): string => join(dir, 'state', journalName(LISTEN));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pktgen-journal-'));
    runs = 0;
    logLines.length = 0;
    scheduler = new FakeScheduler();
    await scheduler.start();
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop(300);
    await scheduler.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a restarted node does not run a job it finished: it gets the SUCCESS of the first run again', async () => {
    const first = await startAgent();
    await send(first.port, { id: 'done' });
    await scheduler.waitFor(2);
    await first.agent.stop(300);
    const second = await startAgent();
    assert.ok(logLines.some((l) => l.includes(`INFO  remembering 1 job id(s) from ${file()}: none of them runs again`)), logLines.join(''));
    await send(second.port, { id: 'done' });
    await scheduler.waitFor(3);
    assert.deepEqual(shown(), ['STARTED done', 'SUCCESS done 501', 'SUCCESS done 501']);
    assert.equal(runs, 1);
  });

  it('a second node on the same port and state folder fails to bind and leaves the first one\'s file alone', async () => {
    const first = await startAgent(2000);
    await send(first.port, { id: 'long' });
    await scheduler.waitFor(1); // STARTED: the journal holds a job that is running
    const before = readFileSync(file(), 'utf8');
    await assert.rejects(startAgent(30, first.port), /EADDRINUSE|in use/);
    // Rewritten by the second, the running job would read as interrupted at the first one's restart.
    assert.equal(readFileSync(file(), 'utf8'), before);
  });

  it('after a crash, a job that had started gets FAIL, one that never started runs, and a retry (<id>.2) runs', async () => {
    // What a node killed with SIGKILL leaves: "a" taken and started, "b" taken only.
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const started = Buffer.from(encodeStatus({ type: 'STARTED', job_id: 'a', node: 'm0' })).toString('base64');
    writeFileSync(file(), [
      '{"id":"a","final":false}', `{"id":"a","final":false,"last":"${started}"}`, '{"id":"b","final":false}', '',
    ].join('\n'), { mode: 0o600 });
    const { port } = await startAgent();
    await send(port, { id: 'a' });
    await scheduler.waitFor(1);
    await send(port, { id: 'b' });
    await scheduler.waitFor(3);
    await send(port, { id: 'a.2' });
    await scheduler.waitFor(5);
    assert.deepEqual(shown(), [`FAIL a: ${INTERRUPTED}`, 'STARTED b', 'SUCCESS b 501', 'STARTED a.2', 'SUCCESS a.2 502']);
    assert.equal(runs, 2);
  });

  it('skips lines that are not job records, says so, and starts', async () => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    writeFileSync(file(), 'garbage\n{"id":"x","final":true,"last":"AAAA"}\n{"id":"ok","final":true}\n', { mode: 0o600 });
    const { port } = await startAgent();
    assert.ok(logLines.some((l) => l.includes(`WARN  ${file()}: skipped 3 line(s) that are not job records`)), logLines.join(''));
    await send(port, { id: 'x' });
    await scheduler.waitFor(2);
    assert.deepEqual(shown(), ['STARTED x', 'SUCCESS x 501']);
  });

  it('loads a line with keys it does not know (the `run` an earlier build wrote): that job is not run again', async () => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const success = Buffer.from(encodeStatus({ type: 'SUCCESS', job_id: 'old', node: 'm0', stats: { tx_packets: 77 } as Stats })).toString('base64');
    writeFileSync(file(), `{"id":"old","run":1,"final":true,"last":"${success}"}\n`, { mode: 0o600 });
    const { port } = await startAgent();
    assert.ok(logLines.some((l) => l.includes(`INFO  remembering 1 job id(s) from ${file()}: none of them runs again`)), logLines.join(''));
    assert.ok(!logLines.some((l) => l.includes('skipped')), logLines.join(''));
    // Written anew at start, without the key.
    assert.equal(readFileSync(file(), 'utf8'), `{"id":"old","final":true,"last":"${success}"}\n`);
    await send(port, { id: 'old' });
    await scheduler.waitFor(1);
    await sleep(200);
    assert.deepEqual(shown(), ['SUCCESS old 77']);
    assert.equal(runs, 0);
  });

  it('refuses a state folder or file another user could change, with the command that fixes it', async () => {
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    await assert.rejects(JobJournal.open(open, LISTEN, log), (error: UserError) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, new RegExp(`^--state-dir ${open}: ${open} is writable by group or others \\(mode 0777\\), so another user could change which jobs this node ran: run \`chmod 700 ${open}\`, or choose another --state-dir$`));
      return true;
    });
    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, journalName(LISTEN)), '', { mode: 0o666 });
    chmodSync(join(state, journalName(LISTEN)), 0o666);
    await assert.rejects(JobJournal.open(state, LISTEN, log), /is writable by group or others \(mode 0666\), so another user could change which jobs this node ran: run `chmod 600 /);
  });

  it('is written anew, with just what it holds, once it has grown past its limit', async () => {
    const journal = await JobJournal.open(join(dir, 'state'), LISTEN, log);
    const entry = { final: false };
    const grown = ['a', 'b', 'c', 'd'].map((id) => journal.append(id, entry, 3));
    assert.deepEqual(grown, [false, false, false, true]);
    journal.rewrite([['d', entry]]);
    assert.equal(readFileSync(file(), 'utf8'), '{"id":"d","final":false}\n');
    assert.equal(journal.append('e', entry, 3), false);
  });

  it('a state file it cannot write is logged once, and the node goes on serving', async () => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    mkdirSync(`${file()}.tmp`); // the rewrite at start-up cannot create its temporary file
    const { port } = await startAgent();
    await send(port, { id: 'w' });
    await scheduler.waitFor(2);
    assert.deepEqual(shown(), ['STARTED w', 'SUCCESS w 501']);
    assert.equal(logLines.filter((l) => l.includes(`ERROR cannot write ${file()}.tmp`) || l.includes(`ERROR cannot write ${file()}`)).length, 1, logLines.join(''));
  });
});
