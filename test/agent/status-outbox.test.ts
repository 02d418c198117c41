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
  /** elapsed_s of each PROGRESS delivered. */
  readonly elapsed: number[] = [];
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
    if (status.type === 'PROGRESS') this.elapsed.push(status.elapsed_s);
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

  it('keeps one destination\'s statuses in order across retries; a final status makes its job\'s PROGRESS moot', async () => {
    outbox = make(10_000);
    net.dead.add(LIVE);
    for (const type of ['STARTED', 'PROGRESS', 'SUCCESS'] as const) post(LIVE, type, 'j');
    post(LIVE, 'STARTED', 'k');
    post(LIVE, 'PROGRESS', 'k');
    setTimeout(() => net.dead.delete(LIVE), 150);
    await until('every status', () => net.delivered.length === 4 && outbox.size === 0, 5000);
    assert.deepEqual(net.delivered, ['1800:STARTED:j', '1800:SUCCESS:j', '1800:STARTED:k', '1800:PROGRESS:k']);
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

  describe('PROGRESS: only the latest waits, and it never delays another status', () => {
    const progress = (port: number, job: string, elapsedS: number): void =>
      outbox.post({ to: { host: '127.0.0.1', port }, legacy: false, status: { type: 'PROGRESS', job_id: job, node: 'n', elapsed_s: elapsedS } });

    it('coalesces a job\'s PROGRESS while its destination is down: one waits, the latest', async () => {
      outbox = make(10_000);
      net.dead.add(LIVE);
      post(LIVE, 'STARTED', 'j');
      for (let s = 1; s <= 5; s++) progress(LIVE, 'j', s);
      progress(LIVE, 'k', 1);
      assert.equal(outbox.size, 3, 'STARTED j, the last PROGRESS of j and of k');
      net.dead.delete(LIVE);
      await until('all delivered', () => outbox.size === 0, 5000);
      assert.deepEqual(net.delivered, ['1800:STARTED:j', '1800:PROGRESS:j', '1800:PROGRESS:k']);
      assert.deepEqual(net.elapsed, [5, 1], 'the latest of each job');
    });

    it('tries a PROGRESS once: a scheduler that is down gets the SUCCESS, never a retried PROGRESS ahead of it', async () => {
      outbox = make(60_000);
      net.dead.add(LIVE);
      progress(LIVE, 'j', 1);
      await until('the PROGRESS tried', () => outbox.size === 0, 2000);
      post(LIVE, 'SUCCESS', 'j');
      await until('the SUCCESS retried', () => (net.attempts.get(LIVE) ?? 0) >= 3, 5000);
      net.dead.delete(LIVE);
      await until('the SUCCESS delivered', () => outbox.size === 0, 5000);
      assert.deepEqual(net.delivered, ['1800:SUCCESS:j']);
      assert.equal(lines.filter((line) => /unreachable, retrying PROGRESS/.test(line)).length, 0);
    });

    it('abandons a PROGRESS being sent when a final status comes', async () => {
      outbox = make(60_000);
      net.dead.add(LIVE);
      net.hang = true; // the PROGRESS would wait up to 60 s for a connection
      progress(LIVE, 'j', 1);
      await until('the PROGRESS on its way', () => net.attempts.get(LIVE) === 1, 2000);
      net.dead.delete(LIVE);
      post(LIVE, 'SUCCESS', 'j');
      // Bounded well below the 60 s the PROGRESS's connection would have taken.
      await until('the SUCCESS delivered', () => net.delivered.length === 1, 5000);
      assert.deepEqual(net.delivered, ['1800:SUCCESS:j']);
      assert.match(lines.join(''), /PROGRESS not delivered to 127\.0\.0\.1:1800/);
    });
  });

  describe('a scheduler down for a long time (a fake clock)', () => {
    let now: number;
    const makeClocked = (retryMs: number): StatusOutbox =>
      new StatusOutbox(createLogger({ write: (line) => lines.push(line), level: 'debug' }), retryMs, net.send, { perDestination: 100, total: 1000 }, () => now);

    it('keeps retrying a SUCCESS for the whole --status-retry, then gives up on it with an error', async () => {
      now = 1_000_000;
      outbox = makeClocked(3_600_000);
      net.dead.add(LIVE);
      post(LIVE, 'SUCCESS', 'a');
      await until('a first retry', () => (net.attempts.get(LIVE) ?? 0) >= 2, 2000);
      now += 3_599_000; // 59 min 59 s later: still kept
      const before = net.attempts.get(LIVE)!;
      await until('retried after 59 min 59 s', () => net.attempts.get(LIVE)! > before, 5000);
      assert.equal(outbox.size, 1);
      assert.equal(lines.filter((line) => line.includes('could not deliver')).length, 0);
      now += 2000; // past the hour
      await until('given up', () => outbox.size === 0, 5000);
      assert.equal(lines.filter((line) => / ERROR +could not deliver SUCCESS to the scheduler at 127\.0\.0\.1:1800/.test(line)).length, 1, lines.join(''));
    });

    it('delivers what it kept once the scheduler is back within --status-retry', async () => {
      now = 1_000_000;
      outbox = makeClocked(3_600_000);
      net.dead.add(LIVE);
      post(LIVE, 'STARTED', 'a');
      post(LIVE, 'SUCCESS', 'a');
      await until('a first retry', () => (net.attempts.get(LIVE) ?? 0) >= 2, 2000);
      now += 150_000; // the outage: 150 s
      net.dead.delete(LIVE);
      await until('both delivered', () => outbox.size === 0, 5000);
      assert.deepEqual(net.delivered, ['1800:STARTED:a', '1800:SUCCESS:a']);
    });
  });
});
