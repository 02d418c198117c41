import assert from 'node:assert/strict';
import { createLogger, type LogFormat } from '../src/log.js';

const REASON = 'bad\nINFO forged line \x1b]0;x\x07\x9b2J';

function logged(format: LogFormat, message: string, fields?: Record<string, string>): string {
  const lines: string[] = [];
  const log = createLogger({ format, write: (line) => lines.push(line), clock: () => new Date(0) });
  log.error(message, fields);
  return lines.join('');
}

describe('createLogger', () => {
  it('human: a peer\'s control characters are escaped, one record stays one line', () => {
    const line = logged('human', `job j1 failed: ${REASON}`, { reason: REASON });
    assert.equal(line,
      '1970-01-01T00:00:00.000Z ERROR job j1 failed: bad\\x0aINFO forged line \\x1b]0;x\\x07\\x9b2J ' +
      'reason="bad\\x0aINFO forged line \\x1b]0;x\\x07\\x9b2J"\n');
  });

  it('human: quotes a value with a space, a quote or nothing in it, and leaves other values bare', () => {
    assert.equal(logged('human', 'm', { a: 'x y', b: 'say "hi"', c: '', d: '10.0.0.1:1729' }),
      '1970-01-01T00:00:00.000Z ERROR m a="x y" b="say \\"hi\\"" c="" d=10.0.0.1:1729\n');
  });

  it('json: the same record, nothing a terminal would act on, and the exact text when parsed', () => {
    const line = logged('json', `failed: ${REASON}`, { reason: REASON });
    assert.equal(line.split('\n').length, 2);
    assert.doesNotMatch(line.slice(0, -1), /[\x00-\x1f\x7f-\x9f]/);
    const record = JSON.parse(line) as { msg: string; reason: string };
    assert.equal(record.msg, `failed: ${REASON}`);
    assert.equal(record.reason, REASON);
  });
  it('human: without timestamps (journald adds its own) a line starts with the level', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line), clock: () => new Date(0), timestamps: false });
    log.info('node listening', { port: 1729 });
    assert.deepEqual(lines, ['INFO  node listening port=1729\n']);
    const stamped: string[] = [];
    createLogger({ write: (line) => stamped.push(line), clock: () => new Date(0) }).info('node listening');
    assert.deepEqual(stamped, ['1970-01-01T00:00:00.000Z INFO  node listening\n']);
  });
});
