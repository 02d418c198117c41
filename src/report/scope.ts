import { UserError } from '../errors.js';
import { durationMs } from '../input/duration.js';
import type { SearchInfo } from '../protocol/control-messages.js';
import type { JobInfo } from '../protocol/view.js';

/** Which results a report covers: everything, a time range, some jobs, or one throughput search. */
export type ReportScope =
  | { kind: 'all' }
  | { kind: 'time'; sinceMs: number; untilMs: number }
  | { kind: 'jobs'; ids: string[] }
  | { kind: 'search'; id: string };

/**
 * A TIME flag as ms since the epoch: an ISO 8601 date or time ("2026-11-30T10:00:00Z"), or a
 * duration ago ("2h": two hours before `nowMs`, durations as everywhere: s, m, h, d).
 */
export function parseReportTime(text: string, flag: string, nowMs: number): number {
  const ago = durationMs(text.trim());
  if (ago !== undefined) return nowMs - ago;
  // Date.parse reads more than ISO 8601 (e.g. "1"): insist on a date first.
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UserError(`${flag} "${text}": expected an ISO 8601 time (2026-11-30T10:00:00Z) or a duration ago (90s, 30m, 2h, 7d)`, 'ERR_USAGE');
  }
  return ms;
}

/** The scope the flags ask for; --since/--until, --jobs and --search exclude each other (oclif checks that). */
export function reportScope(flags: { since?: string; until?: string; jobs?: string[]; search?: string }, nowMs: number): ReportScope {
  if (flags.search) return { kind: 'search', id: flags.search };
  if (flags.jobs && flags.jobs.length > 0) return { kind: 'jobs', ids: [...new Set(flags.jobs)] };
  if (flags.since === undefined && flags.until === undefined) return { kind: 'all' };
  const sinceMs = flags.since === undefined ? 0 : parseReportTime(flags.since, '--since', nowMs);
  const untilMs = flags.until === undefined ? nowMs : parseReportTime(flags.until, '--until', nowMs);
  if (untilMs < sinceMs) throw new UserError(`--until "${flags.until}" is before --since "${flags.since}": expected a range that ends after it starts`, 'ERR_USAGE');
  return { kind: 'time', sinceMs, untilMs };
}

/** A job's or search's life, from created to finished (or still open at `nowMs`), overlaps the range. */
const overlaps = (createdMs: number, finishedMs: number, scope: { sinceMs: number; untilMs: number }, nowMs: number): boolean =>
  createdMs <= scope.untilMs && (finishedMs || nowMs) >= scope.sinceMs;

/**
 * The jobs and searches of the scheduler's answer that the scope covers. A time range takes every
 * job and search open at some moment in it; --jobs takes the searches those jobs are trials of.
 * Ids asked for that the scheduler does not know are a user error, named.
 */
export function selectInScope(jobs: JobInfo[], searches: SearchInfo[], scope: ReportScope, nowMs: number): { jobs: JobInfo[]; searches: SearchInfo[] } {
  switch (scope.kind) {
    case 'all':
      return { jobs, searches };
    case 'time':
      return {
        jobs: jobs.filter((job) => overlaps(job.created_at, job.finished_at, scope, nowMs)),
        searches: searches.filter((search) => overlaps(search.created_at, search.finished_at, scope, nowMs)),
      };
    case 'jobs': {
      const known = new Set(jobs.map((job) => job.id));
      const missing = scope.ids.filter((id) => !known.has(id));
      if (missing.length > 0) throw new UserError(`--jobs: no job ${missing.join(', ')} on the scheduler: expected ids that pktgen status lists`, 'ERR_UNKNOWN_JOB');
      const wanted = new Set(scope.ids);
      const picked = jobs.filter((job) => wanted.has(job.id));
      const trialOf = new Set(picked.map((job) => job.search).filter((id) => id));
      return { jobs: picked, searches: searches.filter((search) => trialOf.has(search.id)) };
    }
    case 'search': {
      const search = searches.find((s) => s.id === scope.id);
      if (!search) {
        throw new UserError(`--search ${scope.id}: no such search on the scheduler; known: ${searches.map((s) => s.id).join(', ') || 'none'}`, 'ERR_UNKNOWN_SEARCH');
      }
      return { jobs: jobs.filter((job) => job.search === scope.id), searches: [search] };
    }
  }
}

/** The scope in words, for the report's header. */
export function scopeText(scope: ReportScope): string {
  switch (scope.kind) {
    case 'all': return 'every job the scheduler holds';
    case 'time': return `jobs open between ${new Date(scope.sinceMs).toISOString()} and ${new Date(scope.untilMs).toISOString()}`;
    case 'jobs': return `jobs ${scope.ids.join(', ')}`;
    case 'search': return `throughput search ${scope.id} and its trials`;
  }
}
