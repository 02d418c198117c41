import { UserError } from '../errors.js';
import { DURATION, expectedAmount, readAmount, wholeUnits, type Quantity } from './units.js';

/** Durations with ms too ("500ms"): the report interval of a job. */
const DURATION_MS: Quantity = { ...DURATION, units: { ms: 1n, ...DURATION.units }, shown: 'ms, s, m, h or d', examples: '500ms, 2s' };

/**
 * A whole number and a unit, s, m, h or d ("90s", "2h"), or ms too when `ms` is set ("500ms"), as
 * ms; undefined when `text` is not one. `bareSeconds`: a number alone is seconds.
 */
export function durationMs(text: string, options: { ms?: boolean; bareSeconds?: boolean } = {}): number | undefined {
  const quantity = durationQuantity(options);
  const amount = readAmount(text, quantity);
  const ms = amount && wholeUnits(amount);
  return ms === undefined || ms > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(ms);
}

/** The duration grammar `options` ask for (units.ts DURATION, with ms or bare seconds added). */
export function durationQuantity(options: { ms?: boolean; bareSeconds?: boolean } = {}): Quantity {
  const quantity = options.ms ? DURATION_MS : DURATION;
  return options.bareSeconds ? { ...quantity, bare: { unit: 's', shown: 'seconds' } } : quantity;
}

/**
 * Parses a duration given as a whole number and a unit, s, m, h or d ("90s", "2h", "7d"), into ms
 * (units.ts DURATION). `positive`: 0 is refused too (a bound on a wait that would end before it
 * began). `bareSeconds`: a number alone is seconds (a flag that took seconds before it took durations).
 */
export function parseDurationMs(text: string, flag: string, options: { positive?: boolean; bareSeconds?: boolean } = {}): number {
  const ms = durationMs(text, options);
  if (ms === undefined || (options.positive && ms === 0)) {
    throw new UserError(`${flag} "${text}": expected ${expectedAmount(options.positive ? 'a duration above 0' : 'a duration', durationQuantity(options))}`, 'ERR_USAGE');
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
