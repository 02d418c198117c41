import assert from 'node:assert/strict';
import { StatusOutbox, type FrameSender, type OutboxBounds } from '../../src/agent/status-outbox.js';
import { decodeStatus, type StatusTypeName } from '../../src/protocol/messages.js';
import { createLogger } from '../../src/log.js';
import { until } from '../helpers/until.js';

const LIVE = 1800;
const DEAD = 1900;
const DEAD2 = 1901;

/**
 * A network stand-in: a port in `dead` refuses after `failMs` (or, with `hang`, stays silent until
 * the caller gives up, like a host that drops SYNs); others take the status at once.
 */
class FakeNet {
  readonly delivered: string[] = [];
  readonly attempts = new Map<number, number>();
  readonly dead = new Set<number>();
  hang = false;
  failMs = 5;

  readonly send: FrameSender = async (to, payload, options) => {
    this.attempts.set(to.port, (this.attempts.get(to.port) ?? 0) + 1);
    if (this.dead.has(to.port)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.hang ? 60_000 : this.failMs);
        options?.signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
      throw new Error(`connect ECONNREFUSED 127.0.0.1:${to.port}`);
    }
    const status = decodeStatus(Buffer.from(payload));
    this.delivered.push(`${to.port}:${status.type}:${status.job_id}`);
    return undefined;
  };
}

describe('agent: status outbox, per destination and bounded', () => {
  let net: FakeNet;
  let lines: string[];
  let outbox: StatusOutbox;
  const post = (port: number, type: StatusTypeName, job: string): void =>
    outbox.post({ to: { host: '127.0.0.1', port }, legacy: false, status: { type, job_id: job, node: 'n' } });
  const make = (retryMs: number, bounds: OutboxBounds = { perDestination: 100, total: 1000 }): StatusOutbox =>
    new StatusOutbox(createLogger({ write: (line) => lines.push(line), level: 'debug' }), retryMs, net.send, bounds);

  beforeEach(() => {
    net = new FakeNet();
    lines = [];
  });
  afterEach(async () => {
    net.dead.clear();
    await outbox.drain(100);
  });

  it('delivers to a live destination while a dead one is still being retried', async () => {
    outbox = make(30_000);
    net.dead.add(DEAD);
    net.hang = true;
    for (const job of ['a', 'b', 'c']) post(DEAD, 'SUCCESS', job);
    post(LIVE, 'STARTED', 'x');
    post(LIVE, 'SUCCESS', 'x');
    await until('the live statuses', () => net.delivered.length === 2, 2000);
    assert.deepEqual(net.delivered, ['1800:STARTED:x', '1800:SUCCESS:x']);
    assert.equal(outbox.size, 3, 'the dead destination\'s statuses still wait');
    assert.equal(outbox.idleFor({ host: '127.0.0.1', port: LIVE }), true);
    assert.equal(outbox.idleFor({ host: '127.0.0.1', port: DEAD }), false);
  });

  it('keeps one destination\'s statuses in order across retries', async () => {
    outbox = make(10_000);
    net.dead.add(LIVE);
    for (const type of ['STARTED', 'PROGRESS', 'SUCCESS'] as const) post(LIVE, type, 'j');
    post(LIVE, 'STARTED', 'k');
    setTimeout(() => net.dead.delete(LIVE), 150);
    await until('every status', () => net.delivered.length === 4, 5000);
    assert.deepEqual(net.delivered, ['1800:STARTED:j', '1800:PROGRESS:j', '1800:SUCCESS:j', '1800:STARTED:k']);
  });

  it('holds the per-destination bound: the oldest PROGRESS goes first, a final only with an error line', async () => {
    outbox = make(10_000, { perDestination: 4, total: 1000 });
    net.dead.add(DEAD);
    const sequence: Array<[StatusTypeName, string]> = [
      ['STARTED', 'j1'], ['PROGRESS', 'p1'], ['PROGRESS', 'p2'], ['FAIL', 'j1'], // full: 1 sending + 3 waiting
      ['PROGRESS', 'p3'], // p1 goes
      ['FAIL', 'j2'], // p2 goes
      ['FAIL', 'j3'], // p3 goes
      ['FAIL', 'j4'], // no PROGRESS left: the oldest waiting final (FAIL j1) goes, logged
      ['PROGRESS', 'p4'], // the incoming PROGRESS itself goes
    ];
    for (const [type, job] of sequence) {
      post(DEAD, type, job);
      assert.ok(outbox.size <= 4, `${outbox.size} statuses wait`);
    }
    net.dead.delete(DEAD);
    await until('the kept statuses', () => net.delivered.length === 4 && outbox.size === 0, 5000);
    assert.deepEqual(net.delivered, ['1900:STARTED:j1', '1900:FAIL:j2', '1900:FAIL:j3', '1900:FAIL:j4']);
    const dropped = lines.filter((line) => line.includes('dropped'));
    assert.equal(dropped.filter((line) => / DEBUG +dropped a PROGRESS/.test(line)).length, 4, dropped.join(''));
    const errors = dropped.filter((line) => / ERROR /.test(line));
    assert.equal(errors.length, 1, dropped.join(''));
    assert.match(errors[0]!, /dropped FAIL for 127\.0\.0\.1:1900: status outbox full .*j1/);
  });

  it('holds the total bound, and a live destination still gets through', async () => {
    outbox = make(10_000, { perDestination: 3, total: 6 });
    net.dead.add(DEAD);
    net.dead.add(DEAD2);
    net.hang = true;
    for (const job of ['a', 'b', 'c']) post(DEAD, 'SUCCESS', job);
    for (const job of ['d', 'e', 'f']) post(DEAD2, 'SUCCESS', job);
    assert.equal(outbox.size, 6);
    post(LIVE, 'SUCCESS', 'live');
    assert.ok(outbox.size <= 6, `${outbox.size} statuses wait`);
    await until('the live status', () => net.delivered.length === 1, 2000);
    assert.deepEqual(net.delivered, ['1800:SUCCESS:live']);
    assert.equal(lines.filter((line) => line.includes('dropped SUCCESS')).length, 1, lines.join(''));
  });

  it('gives up at once on the statuses behind one a dead destination never took, each logged', async () => {
    outbox = make(200);
    net.dead.add(DEAD);
    net.failMs = 300; // each attempt outlasts the retry window, like a connect timeout
    for (const job of ['a', 'b', 'c', 'd', 'e']) post(DEAD, 'FAIL', job);
    await until('the dead lane empty', () => outbox.size === 0, 5000);
    assert.equal(net.attempts.get(DEAD), 1, 'one connection attempt, not one per status');
    assert.equal(lines.filter((line) => line.includes('could not deliver FAIL')).length, 5);
  });

  it('drains within its grace time when a destination never answers', async () => {
    outbox = make(60_000);
    net.dead.add(DEAD);
    net.hang = true;
    for (const job of ['a', 'b', 'c']) post(DEAD, 'SUCCESS', job);
    const started = Date.now();
    await outbox.drain(200);
    assert.ok(Date.now() - started < 2000, `drain took ${Date.now() - started} ms`);
    assert.equal(outbox.size, 0);
    assert.equal(lines.filter((line) => line.includes('could not deliver SUCCESS')).length, 3);
  });
});
