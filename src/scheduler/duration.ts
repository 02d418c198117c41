import { UserError } from '../errors.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses a duration given as a whole number and a unit, s, m, h or d ("90s", "2h", "7d"), into ms. */
export function parseDurationMs(text: string, flag: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new UserError(`${flag} "${text}": expected a whole number and a unit, s, m, h or d (90s, 30m, 2h, 7d)`, 'ERR_USAGE');
  }
  return ms;
}
