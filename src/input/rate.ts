import type { SizeWeight } from '../protocol/messages.js';
import { meanFrameBytes } from './sizes.js';
import { RATE, readAmount, wholeUnits } from './units.js';

/**
 * Rates as people write them: `1.5` (Mbit/s, the unit of the legacy "m"), `500k`, `2.5M`, `10G`,
 * all bits per second of frame bytes, and how a job's rate is shown back.
 */

/** Bits per second in one Mbit/s, the unit of "m" and of a bare rate number. */
export const BPS_PER_MBPS = 1_000_000;

/**
 * `value` (text as units.ts RATE reads it, or a number of Mbit/s) as whole bits per second, or
 * undefined when it is not a rate. Read exactly, so "2.3M" is 2300000; a rate that is not a whole
 * number of bits per second (e.g. "0.0000001") is not a rate.
 */
export function parseRateBps(value: unknown): number | undefined {
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) && value >= 0 ? String(value) : '';
  else if (typeof value === 'string') text = value;
  else return undefined;
  const amount = readAmount(text, RATE);
  const bps = amount && wholeUnits(amount);
  return bps !== undefined && bps <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bps) : undefined;
}

/** Bits per second in the largest unit that keeps them readable: 500000 -> "500 kbit/s". */
export function formatBps(bps: number): string {
  const [unit, scale] = bps >= 1e9 ? ['Gbit/s', 1e9] : bps >= 1e6 ? ['Mbit/s', 1e6] : bps >= 1e3 ? ['kbit/s', 1e3] : ['bit/s', 1];
  return `${Number((bps / scale).toPrecision(12))} ${unit}`;
}

/**
 * The rate a job asks for in Mbit/s of frame bytes; 0 = none (as fast as possible). A packet rate
 * counts at the mean frame, as pktgen-emit paces it (weighted over a mix, else uniform in [s_min, s_max]).
 */
export function requestedMbps(data: { m: number; rate_bps?: number; pps?: number; s_min: number; s_max: number; sizes?: readonly SizeWeight[] }): number {
  if (data.pps) return (data.pps * meanFrameBytes(data) * 8) / BPS_PER_MBPS;
  return data.rate_bps ? data.rate_bps / BPS_PER_MBPS : data.m;
}

/** A job's requested rate, readable: "2.5 Mbit/s", "100000 pps", "as fast as possible". */
export function formatJobRate(data: { m: number; rate_bps?: number; pps?: number }): string {
  if (data.pps) return `${data.pps} pps`;
  if (data.rate_bps) return formatBps(data.rate_bps);
  return data.m > 0 ? formatBps(data.m * BPS_PER_MBPS) : 'as fast as possible';
}
