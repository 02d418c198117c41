import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stderrIsJournal } from '../src/journald.js';

describe('stderrIsJournal', () => {
  let dir: string;
  let fd: number;
  let id: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pktgen-journald-'));
    fd = openSync(join(dir, 'stream'), 'w');
    const stat = fstatSync(fd, { bigint: true });
    id = `${stat.dev}:${stat.ino}`;
  });
  after(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is true when $JOURNAL_STREAM names the descriptor\'s device and inode', () => {
    assert.equal(stderrIsJournal({ JOURNAL_STREAM: id }, fd), true);
  });

  it('is false without $JOURNAL_STREAM, or when the descriptor is another stream (inherited variable)', () => {
    assert.equal(stderrIsJournal({}, fd), false);
    assert.equal(stderrIsJournal({ JOURNAL_STREAM: `${id}0` }, fd), false);
    assert.equal(stderrIsJournal({ JOURNAL_STREAM: id }, 1_000_000), false);
  });
});
