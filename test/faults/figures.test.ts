import assert from 'node:assert/strict';
import { computeFigures, endings, figuresLine, nodeRuns } from './figures.js';
import type { JobInfo, JobState } from '../../src/protocol/view.js';
import type { Stats } from '../../src/protocol/messages.js';
import type { Sighting } from './watcher.js';

// The figures decide whether a fault test passes: what counts as ended, lost and duplicated.
const STATS = { tx_packets: 10 } as Stats;
const job = (id: string, state: JobState, reason = '', stats?: Stats): JobInfo => ({ id, state, reason, stats } as JobInfo);
const seen = (...states: JobState[]): Sighting[] => states.map((state, at) => ({ state, reason: '', at }));

describe('fault test figures', () => {
  it('reads started, succeeded and failed lines of human node logs, over several serves', () => {
    const runs = nodeRuns([
      '2026-11-30T08:00:00.000Z INFO  started job jaaaaaaaaaaaa target=127.0.0.1:9 rate_mbps=1\n' +
      '2026-11-30T08:00:01.000Z ERROR job jaaaaaaaaaaaa failed: node shutting down',
      '2026-11-30T08:00:02.000Z INFO  started job jaaaaaaaaaaaa target=127.0.0.1:9\n' +
      '2026-11-30T08:00:03.000Z INFO  job jaaaaaaaaaaaa succeeded tx_packets=5860\n' +
      '2026-11-30T08:00:03.000Z INFO  received job jbbbbbbbbbbbb m=1',
    ]);
    assert.deepEqual(runs.get('jaaaaaaaaaaaa'), { starts: 2, outcomes: ['node shutting down', 'succeeded'] });
    assert.equal(runs.get('jbbbbbbbbbbbb'), undefined);
  });

  it('counts a job that went from lost to succeeded as ended twice', () => {
    assert.equal(endings(seen('sent', 'running', 'lost', 'succeeded'), 'succeeded'), 2);
    assert.equal(endings(seen('sent', 'running', 'lost'), 'succeeded'), 2);
    assert.equal(endings(seen('running', 'pending', 'sent', 'succeeded'), 'succeeded'), 1);
    assert.equal(endings([], 'failed'), 1);
  });

  const ID = 'j000000000001';
  const started = `started job ${ID} target=127.0.0.1:9`;
  const succeeded = `job ${ID} succeeded tx_packets=10`;
  const table: Array<{ what: string; final: JobInfo; history?: Sighting[]; log?: string[]; retries?: number; undeliverable?: boolean; want: [number, number, number] }> = [
    { what: 'succeeded once', final: job(ID, 'succeeded', '', STATS), log: [started, succeeded], want: [1, 0, 0] },
    { what: 'stopped by its node with a reason', final: job(ID, 'failed', 'node shutting down'), log: [started, `stopped job ${ID}: node shutting down`], want: [1, 0, 0] },
    { what: 'stopped by its node, its FAIL lost', final: job(ID, 'lost', 'no final status'), log: [started, `stopped job ${ID}: node shutting down`], want: [1, 1, 0] },
    { what: 'failed with a reason', final: job(ID, 'failed', 'node shutting down'), log: [started, `job ${ID} failed: node shutting down`], want: [1, 0, 0] },
    { what: 'lost by a kill -9 (the node said nothing)', final: job(ID, 'lost', 'no final status'), log: [started], want: [1, 0, 0] },
    { what: 'failed without a reason', final: job(ID, 'failed'), want: [0, 0, 0] },
    { what: 'succeeded without its result', final: job(ID, 'succeeded'), want: [0, 0, 0] },
    { what: 'still running', final: job(ID, 'running'), want: [0, 1, 0] },
    { what: 'lost, though the node succeeded', final: job(ID, 'lost', 'no final status'), log: [started, succeeded], want: [1, 1, 0] },
    { what: 'lost, the node succeeded, its reply address dead', final: job(ID, 'lost', 'never started'), log: [started, succeeded], undeliverable: true, want: [1, 0, 0] },
    { what: 'lost, with the late result kept', final: { ...job(ID, 'lost', 'no final status'), late: { type: 'SUCCESS', reason: '', stats: STATS, at: 1 } } as JobInfo, log: [started, succeeded], want: [1, 0, 0] },
    { what: 'lost, with a late FAIL kept', final: { ...job(ID, 'lost', 'no final status'), late: { type: 'FAIL', reason: 'x', at: 1 } } as JobInfo, log: [started, `job ${ID} failed: x`], want: [1, 0, 0] },
    { what: 're-run under a run number, then succeeded', final: job(ID, 'succeeded', '', STATS), log: [started, `started job ${ID}.2 target=127.0.0.1:9`, `job ${ID}.2 succeeded tx_packets=1`], retries: 1, want: [1, 0, 0] },
    { what: 're-run under a run number without retries', final: job(ID, 'succeeded', '', STATS), log: [started, `started job ${ID}.2 target=127.0.0.1:9`], want: [1, 0, 1] },
    { what: 'started three times', final: job(ID, 'succeeded', '', STATS), log: [started, started, started, succeeded], want: [1, 0, 1] },
    { what: 're-run once by its retries', final: job(ID, 'succeeded', '', STATS), log: [started, started, succeeded], retries: 1, want: [1, 0, 0] },
    { what: 'flipped from lost to succeeded', final: job(ID, 'succeeded', '', STATS), history: seen('running', 'lost', 'succeeded'), want: [0, 0, 0] },
  ];
  for (const { what, final, history = [], log = [], retries = 0, undeliverable = false, want } of table) {
    it(`${what}: ended, lost, duplicated = ${want.join(', ')}`, () => {
      const figures = computeFigures({
        jobs: [{ id: ID, retries }], final: [final], histories: new Map([[ID, history]]), runs: nodeRuns([log.join('\n')]), orphans: 0,
        undeliverable: undeliverable ? new Set([ID]) : undefined,
      });
      assert.deepEqual([figures.ended, figures.lost, figures.duplicated], want, figures.problems.join('\n'));
      // Every finding is named, and only findings are.
      assert.equal(figures.problems.length === 0, want[0] === 1 && want[1] === 0 && want[2] === 0, figures.problems.join('\n'));
    });
  }

  it('counts orphans and prints the one line', () => {
    const figures = computeFigures({ jobs: [], final: [], histories: new Map(), runs: new Map(), orphans: 2 });
    assert.equal(figuresLine('kill -9 node', figures), 'faults: kill -9 node: jobs 0 ended 0 lost 0 duplicated 0 orphans 2');
    assert.deepEqual(figures.problems, ['2 pktgen-emit process(es) left without their serve']);
  });
});
