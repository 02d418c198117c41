import assert from 'node:assert/strict';
import { JobMemory } from '../../src/agent/job-memory.js';
import type { Status } from '../../src/protocol/messages.js';

const status = (job_id: string, type: Status['type'], extra: Partial<Status> = {}): Status =>
  ({ type, job_id, node: 'm0', reason: '', elapsed_s: 0, ...extra });

describe('agent: the job ids a node remembers', () => {
  // [what, steps, then: an id arrives -> what the memory says of it]
  const table: Array<[string, (memory: JobMemory) => void, string, string]> = [
    ['an id never seen is new', () => undefined, 'a', 'new'],
    ['a queued job delivered again is a repeat with no status yet', (m) => m.taken('a'), 'a', 'repeat -'],
    ['a running job delivered again gets STARTED', (m) => { m.taken('a'); m.posted(status('a', 'STARTED')); }, 'a', 'repeat STARTED'],
    ['a finished job delivered again gets its final status', (m) => { m.taken('a'); m.posted(status('a', 'STARTED')); m.posted(status('a', 'SUCCESS')); }, 'a', 'repeat SUCCESS'],
    ['a failed job delivered again gets its FAIL, it does not run again', (m) => { m.taken('a'); m.posted(status('a', 'FAIL', { reason: 'x' })); }, 'a', 'repeat FAIL'],
    ['PROGRESS does not replace the last status', (m) => { m.taken('a'); m.posted(status('a', 'STARTED')); m.posted(status('a', 'PROGRESS')); }, 'a', 'repeat STARTED'],
    ['a retry (the scheduler names it <id>.2) of a finished job is new', (m) => { m.taken('a'); m.posted(status('a', 'FAIL', { reason: 'x' })); }, 'a.2', 'new'],
    ['a retry delivered again is a repeat of the retry', (m) => { m.taken('a'); m.posted(status('a', 'FAIL', { reason: 'x' })); m.taken('a.2'); m.posted(status('a.2', 'SUCCESS')); }, 'a.2', 'repeat SUCCESS'],
    ['a status for an id never taken is not remembered', (m) => m.posted(status('a', 'FAIL')), 'a', 'new'],
  ];
  for (const [what, steps, id, expected] of table) {
    it(what, () => {
      const memory = new JobMemory();
      steps(memory);
      const arrival = memory.arrived(id);
      const shown = arrival.kind === 'new' ? 'new' : `repeat ${arrival.last?.type ?? '-'}`;
      assert.equal(shown, expected);
    });
  }

  it('gives back a SUCCESS with its statistics, as posted', () => {
    const memory = new JobMemory();
    memory.taken('a');
    const success = status('a', 'SUCCESS', { stats: { tx_packets: 42, tx_mbps: 9.5, rtt_us: { p50: 12.5 } } as Status['stats'] });
    memory.posted(success);
    const arrival = memory.arrived('a');
    assert.equal(arrival.kind, 'repeat');
    assert.equal(arrival.kind === 'repeat' && arrival.last?.stats?.tx_packets, 42);
    assert.equal(arrival.kind === 'repeat' && arrival.last?.stats?.rtt_us?.p50, 12.5);
  });

  it('forgets the oldest finished ids beyond its limit, never a queued or running one', () => {
    const memory = new JobMemory(3);
    memory.taken('queued');
    memory.taken('running');
    memory.posted(status('running', 'STARTED'));
    for (const id of ['d1', 'd2', 'd3']) {
      memory.taken(id);
      memory.posted(status(id, 'SUCCESS'));
    }
    memory.taken('last');
    assert.equal(memory.size, 3);
    assert.equal(memory.arrived('d1').kind, 'new');
    assert.equal(memory.arrived('d3').kind, 'new');
    for (const id of ['queued', 'running', 'last']) assert.equal(memory.arrived(id).kind, 'repeat', id);
  });
});
