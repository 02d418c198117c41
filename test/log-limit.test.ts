import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../src/log.js';
import { LogLimiter, connectionErrorLog } from '../src/log-limit.js';
import { ConnectionLimitError, ReadTimeoutError } from '../src/transport/errors.js';

describe('log-limit: refusals a peer can provoke, rate-limited per kind', () => {
  let lines: string[];
  let now: number;
  const logger = () => createLogger({ write: (line) => void lines.push(line.trimEnd().replace(/^\S+ WARN  /, '')) });
  beforeEach(() => {
    lines = [];
    now = 0;
  });

  it('writes at most `lines` per kind and interval, then one summary line at the interval end', async () => {
    const limiter = new LogLimiter(logger(), { lines: 3, intervalMs: 100 }, () => now);
    for (let i = 0; i < 100_000; i++) limiter.warn('refused status connection (ERR_READ_TIMEOUT)', `refused ${i}`);
    limiter.warn('other kind', 'other 0');
    assert.deepEqual(lines, ['refused 0', 'refused 1', 'refused 2', 'other 0']);
    now = 2000;
    await sleep(150);
    assert.deepEqual(lines.slice(4), ['refused status connection (ERR_READ_TIMEOUT): ... and 99,997 more in the last 2 s']);
  });

  it('starts a new interval once one has passed, with its own lines', () => {
    const limiter = new LogLimiter(logger(), { lines: 1, intervalMs: 1000 }, () => now);
    limiter.warn('k', 'a');
    limiter.warn('k', 'b');
    now = 1000;
    limiter.warn('k', 'c');
    limiter.close();
    assert.deepEqual(lines, ['a', 'k: ... and 1 more in the last 1 s', 'c']);
  });

  it('logs a frame server error as one line naming the peer, refusals and drops apart', () => {
    const onError = connectionErrorLog(new LogLimiter(logger()), 'status connection');
    const peer = { remoteAddress: '127.0.0.1', remotePort: 40112 };
    onError(new ReadTimeoutError(4, 2000), peer);
    onError(new ConnectionLimitError('source', 'closed: too many'), peer);
    onError(new Error('boom'), peer);
    assert.deepEqual(lines, [
      'refused status connection from 127.0.0.1:40112: no complete frame within 2000 ms (4 bytes received)',
      'refused status connection from 127.0.0.1:40112: closed: too many',
      'dropped status connection from 127.0.0.1:40112: Error: boom',
    ]);
  });
});
