import assert from 'node:assert/strict';
import { SessionOutbox } from '../../src/agent/session-outbox.js';
import type { Status, StatusTypeName } from '../../src/protocol/messages.js';
import type { SessionMessage } from '../../src/protocol/session-messages.js';
import type { SessionChannel } from '../../src/session/channel.js';
import { createLogger } from '../../src/log.js';

/** A session as the outbox sees it: open or not, and what was sent on it. */
class FakeChannel {
  readonly sent: string[] = [];
  open = true;

  send(message: SessionMessage): boolean {
    if (!this.open) return false;
    if (message.kind === 'status') this.sent.push(`${message.status.type}:${message.status.job_id}`);
    return true;
  }

  asChannel(): SessionChannel {
    return this as unknown as SessionChannel;
  }
}

const HOUR_MS = 3_600_000;
const status = (type: StatusTypeName, jobId: string): Status => ({ type, job_id: jobId, node: 'n', reason: '', elapsed_s: 0 });

describe('agent: session outbox, kept until acknowledged', () => {
  let lines: string[];
  let now: number;
  const make = (retryMs = HOUR_MS, limit = 100) => new SessionOutbox(createLogger({ write: (line) => lines.push(line) }), retryMs, limit, () => now);

  beforeEach(() => {
    lines = [];
    now = 1_000_000;
  });

  it('sends STARTED, SUCCESS and FAIL again, in order, on every new session until each is acknowledged', () => {
    const outbox = make();
    const first = new FakeChannel();
    outbox.attach(first.asChannel());
    outbox.post(status('STARTED', 'a'));
    outbox.post(status('SUCCESS', 'a'));
    outbox.post(status('FAIL', 'b'));
    outbox.acked('a', 'STARTED');
    first.open = false;
    const second = new FakeChannel();
    outbox.attach(second.asChannel());
    assert.deepEqual(first.sent, ['STARTED:a', 'SUCCESS:a', 'FAIL:b']);
    assert.deepEqual(second.sent, ['SUCCESS:a', 'FAIL:b']);
    outbox.acked('a', 'SUCCESS');
    outbox.acked('b', 'FAIL');
    assert.equal(outbox.size, 0);
  });

  it('keeps no PROGRESS: it goes out on an open session only, so none waits ahead of a final status', () => {
    const outbox = make();
    const down = new FakeChannel();
    down.open = false;
    outbox.attach(down.asChannel());
    outbox.post(status('STARTED', 'a'));
    for (let i = 0; i < 5; i++) outbox.post(status('PROGRESS', 'a'));
    outbox.post(status('SUCCESS', 'a'));
    const back = new FakeChannel();
    outbox.attach(back.asChannel());
    assert.deepEqual(back.sent, ['STARTED:a', 'SUCCESS:a']);
    outbox.post(status('PROGRESS', 'b'));
    assert.deepEqual(back.sent, ['STARTED:a', 'SUCCESS:a', 'PROGRESS:b']);
    assert.equal(outbox.size, 2);
  });

  it('keeps a status for the whole --status-retry: a scheduler back after 59 min gets it', () => {
    const outbox = make();
    outbox.post(status('SUCCESS', 'a'));
    now += HOUR_MS - 1000;
    const channel = new FakeChannel();
    outbox.attach(channel.asChannel());
    assert.deepEqual(channel.sent, ['SUCCESS:a']);
    assert.equal(lines.length, 0, lines.join(''));
  });

  it('gives up on statuses older than --status-retry, in one error line naming them', () => {
    const outbox = make(HOUR_MS);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) outbox.post(status('SUCCESS', id));
    now += 10_000;
    outbox.post(status('FAIL', 'h'));
    now += HOUR_MS - 5000;
    const channel = new FakeChannel();
    outbox.attach(channel.asChannel());
    assert.deepEqual(channel.sent, ['FAIL:h']);
    assert.equal(lines.length, 1, lines.join(''));
    assert.match(lines[0]!, /ERROR +gave up on 7 status\(es\) the scheduler did not acknowledge within 3600 s \(--status-retry\): SUCCESS of job a, SUCCESS of job b, SUCCESS of job c, SUCCESS of job d, SUCCESS of job e and 2 more/);
  });

  it('holds its bound: beyond it the oldest goes, with an error', () => {
    const outbox = make(HOUR_MS, 3);
    for (const id of ['a', 'b', 'c', 'd']) outbox.post(status('SUCCESS', id));
    const channel = new FakeChannel();
    outbox.attach(channel.asChannel());
    assert.deepEqual(channel.sent, ['SUCCESS:b', 'SUCCESS:c', 'SUCCESS:d']);
    assert.match(lines.join(''), /status outbox full \(3\): dropped SUCCESS of job a that the scheduler never acknowledged/);
  });

  it('drain resolves once the last kept status is acknowledged', async () => {
    const outbox = make();
    outbox.attach(new FakeChannel().asChannel());
    outbox.post(status('FAIL', 'a'));
    const drained = outbox.drain(10_000);
    setTimeout(() => outbox.acked('a', 'FAIL'), 20);
    await drained;
    assert.equal(outbox.size, 0);
    assert.equal(lines.length, 0, 'no "stopping with N status(es)" warning: it did not wait out its grace');
  });
});
