import assert from 'node:assert/strict';
import { JobMemory } from '../../src/agent/job-memory.js';
import type { Status } from '../../src/protocol/messages.js';

const status = (job_id: string, type: Status['type'], extra: Partial<Status> = {}): Status =>
  ({ type, job_id, node: 'm0', reason: '', elapsed_s: 0, ...extra });

describe('agent: the job ids a node remembers', () => {
  // [what, steps, then: id -> expected arrival of (id, run)]
  const table: Array<[string, (memory: JobMemory) => void, string, number, string]> = [
    ['an id never seen is new', () => undefined, 'a', 1, 'new'],
    ['a queued job delivered again is a repeat with no status yet', (m) => m.taken('a', 1), 'a', 1, 'repeat run 1 -'],
    ['a running job delivered again gets STARTED', (m) => { m.taken('a', 1); m.posted(status('a', 'STARTED')); }, 'a', 1, 'repeat run 1 STARTED'],
    ['a finished job delivered again gets its final status', (m) => { m.taken('a', 1); m.posted(status('a', 'STARTED')); m.posted(status('a', 'SUCCESS')); }, 'a', 1, 'repeat run 1 SUCCESS'],
    ['PROGRESS does not replace the last status', (m) => { m.taken('a', 1); m.posted(status('a', 'STARTED')); m.posted(status('a', 'PROGRESS')); }, 'a', 1, 'repeat run 1 STARTED'],
    ['a retry (higher run) of a finished job is new', (m) => { m.taken('a', 1); m.posted(status('a', 'FAIL', { reason: 'x' })); }, 'a', 2, 'new'],
    ['a retry of a job still running is that run', (m) => { m.taken('a', 1); m.posted(status('a', 'STARTED')); }, 'a', 2, 'repeat run 1 STARTED'],
    ['an earlier run after a retry is a repeat of the retry', (m) => { m.taken('a', 2); m.posted(status('a', 'SUCCESS')); }, 'a', 1, 'repeat run 2 SUCCESS'],
    ['run 0 (a sender that counts no runs) is run 1', (m) => { m.taken('a', 0); m.posted(status('a', 'SUCCESS')); }, 'a', 1, 'repeat run 1 SUCCESS'],
    ['a status for an id never taken is not remembered', (m) => m.posted(status('a', 'FAIL')), 'a', 1, 'new'],
  ];
  for (const [what, steps, id, run, expected] of table) {
    it(what, () => {
      const memory = new JobMemory();
      steps(memory);
      const arrival = memory.arrived(id, run);
      const shown = arrival.kind === 'new' ? 'new' : `repeat run ${arrival.run} ${arrival.last?.type ?? '-'}`;
      assert.equal(shown, expected);
    });
  }

  it('gives back a SUCCESS with its statistics, as posted', () => {
    const memory = new JobMemory();
    memory.taken('a', 1);
    const success = status('a', 'SUCCESS', { stats: { tx_packets: 42, tx_mbps: 9.5, rtt_us: { p50: 12.5 } } as Status['stats'] });
    memory.posted(success);
    const arrival = memory.arrived('a', 1);
    assert.equal(arrival.kind, 'repeat');
    assert.equal(arrival.kind === 'repeat' && arrival.last?.stats?.tx_packets, 42);
    assert.equal(arrival.kind === 'repeat' && arrival.last?.stats?.rtt_us?.p50, 12.5);
  });

  it('forgets the oldest finished ids beyond its limit, never a queued or running one', () => {
    const memory = new JobMemory(3);
    memory.taken('queued', 1);
    memory.taken('running', 1);
    memory.posted(status('running', 'STARTED'));
    for (const id of ['d1', 'd2', 'd3']) {
      memory.taken(id, 1);
      memory.posted(status(id, 'SUCCESS'));
    }
    memory.taken('last', 1);
    assert.equal(memory.size, 3);
    assert.equal(memory.arrived('d1', 1).kind, 'new');
    assert.equal(memory.arrived('d3', 1).kind, 'new');
    for (const id of ['queued', 'running', 'last']) assert.equal(memory.arrived(id, 1).kind, 'repeat', id);
  });
});
