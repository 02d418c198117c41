import { UserError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A whole number and a unit, s, m, h or d ("90s", "2h"), or ms too when `ms` is set ("500ms"), as
 * ms; undefined when `text` is not one. `bareSeconds`: a number alone is seconds.
 */
export function durationMs(text: string, options: { ms?: boolean; bareSeconds?: boolean } = {}): number | undefined {
  const match = /^(\d+)(ms|[smhd]?)$/.exec(text.trim());
  if (!match || (match[2] === 'ms' && !options.ms) || (match[2] === '' && !options.bareSeconds)) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] || 's') as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * Parses a duration given as a whole number and a unit, s, m, h or d ("90s", "2h", "7d"), into ms.
 * `positive`: 0 is refused too (a bound on a wait that would end before it began). `bareSeconds`: a
 * number alone is seconds (a flag that took seconds before it took durations).
 */
export function parseDurationMs(text: string, flag: string, options: { positive?: boolean; bareSeconds?: boolean } = {}): number {
  const ms = durationMs(text, options) ?? NaN;
  if (!Number.isSafeInteger(ms) || (options.positive && ms === 0)) {
    const what = options.positive ? 'a whole number above 0 and a unit' : 'a whole number and a unit';
    const bare = options.bareSeconds ? ', or a number of seconds' : '';
    throw new UserError(`${flag} "${text}": expected ${what}, s, m, h or d (90s, 30m, 2h, 7d)${bare}`, 'ERR_USAGE');
  }
  return ms;
}

/** A duration for people: "45 s", "12 min 5 s", "3 h 2 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`;
}
