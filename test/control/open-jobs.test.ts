import assert from 'node:assert/strict';
import { downNodeLines, openJobLines, OPEN_JOBS_SHOWN, whyOpen } from '../../src/control/open-jobs.js';
import { job, node } from '../tui/fixtures.js';

const NOW = Date.parse('2026-12-01T10:01:00Z');
const DOWN = Date.parse('2026-12-01T10:00:15Z');

describe('open jobs: why each has not finished, in a user\'s words', () => {
  const m0 = node('m0');
  const down = node('m0', { health: 'down', down_since: DOWN });
  const cases: Array<[string, Parameters<typeof whyOpen>, string]> = [
    ['queued behind others', [job('j1', 'm0'), m0, 3, NOW], 'queued behind 3 job(s) on m0'],
    ['next in line', [job('j1', 'm0'), m0, 0, NOW], 'next to run on m0'],
    ['queued, no count asked for', [job('j1', 'm0'), m0, undefined, NOW], 'queued on m0'],
    ['its node down', [job('j1', 'm0'), down, 0, NOW], 'next to run on m0; node m0 is down since 2026-12-01T10:00:15Z (45 s ago)'],
    ['its node paused', [job('j1', 'm0'), node('m0', { paused: true }), 2, NOW], 'queued behind 2 job(s) on m0; node m0 is paused'],
    ['its node never reached', [job('j1', 'm0'), node('m0', { health: 'unknown' }), 0, NOW], 'next to run on m0; node m0 has not been reached yet'],
    ['sent, not started', [job('j1', 'm0', { state: 'sent', sent_at: NOW - 4000 }), m0, undefined, NOW], 'sent to m0 4 s ago, not started yet'],
    ['running', [job('j1', 'm0', { state: 'running', started_at: NOW - 125_000 }), m0, undefined, NOW], 'running on m0 for 2 min 5 s (w + t = 30 s)'],
    ['running on a node that went down', [job('j1', 'm0', { state: 'running', started_at: NOW - 50_000 }), down, undefined, NOW], 'running on m0 for 50 s (w + t = 30 s); node m0 is down since 2026-12-01T10:00:15Z (45 s ago)'],
    ['on a node that is no longer known', [job('j1', 'm9'), undefined, undefined, NOW], 'its node m9 is no longer known'],
  ];
  for (const [what, args, expected] of cases) it(what, () => assert.equal(whyOpen(...args), expected));

  it('lists open jobs only, the first 20 by name, then a count', () => {
    const jobs = [job('done', 'm0', { state: 'succeeded' }), ...Array.from({ length: OPEN_JOBS_SHOWN + 3 }, (_, i) => job(`j${i}`, 'm0'))];
    const lines = openJobLines(jobs, [down], { j0: 0, j1: 1 }, NOW);
    assert.equal(lines.length, OPEN_JOBS_SHOWN + 1);
    assert.equal(lines[0], '  j0 on m0 (pending): next to run on m0; node m0 is down since 2026-12-01T10:00:15Z (45 s ago)');
    assert.equal(lines[1], '  j1 on m0 (pending): queued behind 1 job(s) on m0; node m0 is down since 2026-12-01T10:00:15Z (45 s ago)');
    assert.equal(lines.at(-1), '  ... and 3 more');
  });

  it('names down nodes that hold open jobs, with their address, and no other node', () => {
    const nodes = [down, node('m1', { health: 'down', down_since: DOWN, pending: 0 }), node('m2', { pending: 4 })];
    nodes[0]!.pending = 2;
    nodes[0]!.running_job = 'jx';
    assert.deepEqual(downNodeLines(nodes, NOW), ['node m0 (127.0.0.1:1729) is down since 2026-12-01T10:00:15Z (45 s ago): 3 job(s) wait for it']);
  });
});
