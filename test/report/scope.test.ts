import assert from 'node:assert/strict';
import { parseReportTime, reportScope, selectInScope, type ReportScope } from '../../src/report/scope.js';
import { searchInfo } from '../../src/control/search-view.js';
import { search } from '../store/records.js';
import { job } from '../tui/fixtures.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const HOUR = 3_600_000;

describe('report scope: which jobs and searches a report covers', () => {
  it('reads TIME as ISO 8601 or as a duration ago, and names the flag and what it expects otherwise', () => {
    assert.equal(parseReportTime('2026-11-30T10:00:00Z', '--since', NOW), Date.UTC(2026, 10, 30, 10));
    assert.equal(parseReportTime('2h', '--since', NOW), NOW - 2 * HOUR);
    assert.equal(parseReportTime('90s', '--until', NOW), NOW - 90_000);
    for (const bad of ['yesterday', '1', '2026-13-45', '']) {
      assert.throws(() => parseReportTime(bad, '--since', NOW), (error: Error & { exitCode?: number }) =>
        error.exitCode === 2 && error.message === `--since "${bad}": expected an ISO 8601 time (2026-11-30T10:00:00Z) or a duration ago (90s, 30m, 2h, 7d)`);
    }
  });

  it('builds the scope from the flags; --until before --since is refused', () => {
    assert.deepEqual(reportScope({}, NOW), { kind: 'all' });
    assert.deepEqual(reportScope({ since: '1h' }, NOW), { kind: 'time', sinceMs: NOW - HOUR, untilMs: NOW });
    assert.deepEqual(reportScope({ until: '1h' }, NOW), { kind: 'time', sinceMs: 0, untilMs: NOW - HOUR });
    assert.deepEqual(reportScope({ jobs: ['a', 'b', 'a'] }, NOW), { kind: 'jobs', ids: ['a', 'b'] });
    assert.deepEqual(reportScope({ search: 's1' }, NOW), { kind: 'search', id: 's1' });
    assert.throws(() => reportScope({ since: '1h', until: '2h' }, NOW), /^UserError: --until "2h" is before --since "1h": expected a range that ends after it starts$/);
  });

  const jobs = [
    job('old', 'm0', { state: 'succeeded', created_at: NOW - 5 * HOUR, finished_at: NOW - 4 * HOUR }),
    job('across', 'm0', { state: 'succeeded', created_at: NOW - 3 * HOUR, finished_at: NOW - HOUR / 2 }),
    job('open', 'm1', { state: 'running', created_at: NOW - HOUR / 4 }),
    job('trial', 'm1', { state: 'succeeded', created_at: NOW - 10 * HOUR, finished_at: NOW - 9 * HOUR, search: 's000000000001' }),
  ];
  const searches = [searchInfo(search('s000000000001', NOW - 10 * HOUR))];
  const ids = (scope: ReportScope) => selectInScope(jobs, searches, scope, NOW).jobs.map((j) => j.id);

  it('a time range takes every job open at some moment in it, a running one up to now', () => {
    assert.deepEqual(ids({ kind: 'time', sinceMs: NOW - 2 * HOUR, untilMs: NOW }), ['across', 'open']);
    assert.deepEqual(ids({ kind: 'time', sinceMs: NOW - 6 * HOUR, untilMs: NOW - 2.5 * HOUR }), ['old', 'across']);
    // The search still runs: it is open up to now, and was not yet before it was created.
    assert.equal(selectInScope(jobs, searches, { kind: 'time', sinceMs: NOW - HOUR, untilMs: NOW }, NOW).searches.length, 1);
    assert.equal(selectInScope(jobs, searches, { kind: 'time', sinceMs: NOW - 12 * HOUR, untilMs: NOW - 11 * HOUR }, NOW).searches.length, 0);
    assert.deepEqual(ids({ kind: 'all' }), ['old', 'across', 'open', 'trial']);
  });

  it('--jobs takes those jobs and the searches they are trials of; an unknown id is a user error naming it', () => {
    const picked = selectInScope(jobs, searches, { kind: 'jobs', ids: ['trial', 'open'] }, NOW);
    assert.deepEqual(picked.jobs.map((j) => j.id), ['open', 'trial']);
    assert.deepEqual(picked.searches.map((s) => s.id), ['s000000000001']);
    assert.throws(() => selectInScope(jobs, searches, { kind: 'jobs', ids: ['open', 'nope'] }, NOW), /^UserError: --jobs: no job nope on the scheduler/);
  });

  it('--search takes the search and its trials; an unknown search names the known ones', () => {
    const picked = selectInScope(jobs, searches, { kind: 'search', id: 's000000000001' }, NOW);
    assert.deepEqual([picked.jobs.map((j) => j.id), picked.searches.length], [['trial'], 1]);
    assert.throws(() => selectInScope(jobs, searches, { kind: 'search', id: 'sx' }, NOW), /^UserError: --search sx: no such search on the scheduler; known: s000000000001$/);
  });
});
