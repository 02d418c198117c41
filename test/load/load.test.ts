import assert from 'node:assert/strict';
import { runLoad, tally, type LoadOutcome } from '../../bench/load-harness.js';
import type { LoadJob } from '../../bench/scheduler-phase.js';

/** What a failed assertion should show: the counts and the first jobs behind them. */
const described = (o: LoadOutcome) => JSON.stringify({ lostBy: o.lostBy, duplicatedBy: o.duplicatedBy, problems: o.problems.slice(0, 5), notUp: o.notUp, logs: o.logs.samples });

// The load test of `npm run bench:load` at the size CI affords: correctness only, never timing.
describe('load: 100 simulated nodes x 20 jobs through one scheduler (bench/load-harness.ts)', function () {
  this.timeout(300_000);

  for (const wire of ['session', 'legacy'] as const) {
    it(`${wire === 'session' ? 'authenticated sessions' : 'the legacy wire'}: every one of 2,000 jobs succeeds once, at its own node, taken once: 0 lost, 0 duplicated`, async () => {
      const [outcome, ...more] = await runLoad({ nodes: 100, jobsPerNode: 20, wires: [wire], deadlineMs: 240_000 });
      assert.equal(more.length, 0);
      assert.ok(outcome, 'the run ended before the scheduler answered');
      assert.equal(outcome.timedOut, false, `still open at the deadline: ${described(outcome)}`);
      assert.equal(outcome.lost, 0, described(outcome));
      assert.equal(outcome.duplicated, 0, described(outcome));
      assert.equal(outcome.succeeded, 2000);
      assert.equal(outcome.neverArrived, 0);
      assert.equal(outcome.nodesUp.up, 100);
    });
  }
});

describe('load: tally (what counts as lost or duplicated)', () => {
  const names = ['n0', 'n1'];
  const job = (id: string, node: string, state: LoadJob[2] = 'succeeded', finishes = 1): LoadJob => [id, node, state, finishes, 1, ''];
  const cases: Array<{ what: string; expected: number; jobs: LoadJob[]; received: Array<[string, number, number]>; lost: number; duplicated: number; lostBy: Record<string, number> }> = [
    { what: 'all succeeded once', expected: 2, jobs: [job('a', 'n0'), job('b', 'n1')], received: [['a', 0, 1], ['b', 1, 1]], lost: 0, duplicated: 0, lostBy: {} },
    { what: 'a job left running and one lost', expected: 3, jobs: [job('a', 'n0'), job('b', 'n1', 'running', 0), job('c', 'n1', 'lost')], received: [['a', 0, 1], ['b', 1, 1], ['c', 1, 1]], lost: 2, duplicated: 0, lostBy: { running: 1, lost: 1 } },
    { what: 'a job the scheduler never queued', expected: 2, jobs: [job('a', 'n0')], received: [['a', 0, 1]], lost: 1, duplicated: 0, lostBy: { 'never queued': 1 } },
    { what: 'a job a node took twice', expected: 1, jobs: [job('a', 'n0')], received: [['a', 0, 2]], lost: 0, duplicated: 1, lostBy: {} },
    { what: 'a job finished twice (lost, then a late SUCCESS)', expected: 1, jobs: [job('a', 'n0', 'succeeded', 2)], received: [['a', 0, 1]], lost: 0, duplicated: 1, lostBy: {} },
    { what: 'a job at another node', expected: 1, jobs: [job('a', 'n0')], received: [['a', 1, 1]], lost: 0, duplicated: 1, lostBy: {} },
    { what: 'a job the scheduler does not know', expected: 1, jobs: [job('a', 'n0')], received: [['a', 0, 1], ['z', 1, 1]], lost: 0, duplicated: 1, lostBy: {} },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const counted = tally(c.expected, c.jobs, c.received, names);
      assert.deepEqual([counted.lost, counted.duplicated, counted.lostBy], [c.lost, c.duplicated, c.lostBy]);
    });
  }
});
