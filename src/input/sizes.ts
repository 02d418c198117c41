import type { SizeCount, SizeWeight } from '../protocol/messages.js';

/**
 * Frame sizes as people write them: one size (`64`), the legacy uniform range (`64-1518`), a
 * weighted mix (`64:7,594:4,1518:1`; a bare size weighs 1) or `imix`, and how a mix is shown back.
 * Syntax only: the one job schema (job.ts) checks the sizes, weights and counts against its limits.
 */

/** The simple IMIX: 7 frames of 64 bytes, 4 of 594 and 1 of 1518 in every 12. */
export const IMIX: readonly SizeWeight[] = [
  { size: 64, weight: 7 },
  { size: 594, weight: 4 },
  { size: 1518, weight: 1 },
];

/** What a size text says, before any range check. */
export type SizeText = { range: [min: number, max: number] } | { mix: SizeWeight[] };

const WHOLE = /^\d{1,9}$/;

/** `text` as a range or a mix, or undefined when it is neither (e.g. "64:", "a-b", "64-"). */
export function parseSizeText(text: string): SizeText | undefined {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'imix') return { mix: IMIX.map((entry) => ({ ...entry })) };
  const range = /^(\d{1,9})\s*-\s*(\d{1,9})$/.exec(trimmed);
  if (range) return { range: [Number(range[1]), Number(range[2])] };
  if (WHOLE.test(trimmed)) return { range: [Number(trimmed), Number(trimmed)] };
  const mix: SizeWeight[] = [];
  for (const part of trimmed.split(',')) {
    const [size, weight = '1', ...rest] = part.trim().split(':').map((s) => s.trim());
    if (rest.length > 0 || !WHOLE.test(size!) || !WHOLE.test(weight)) return undefined;
    mix.push({ size: Number(size), weight: Number(weight) });
  }
  return { mix };
}

/** A mix as `--size` and jobs files write it: "64:7,594:4,1518:1". */
export function formatSizeMix(mix: readonly SizeWeight[]): string {
  return mix.map(({ size, weight }) => `${size}:${weight}`).join(',');
}

/** Frames sent per size, as "SIZE:PACKETS" pairs in the mix's order: "64:7000,594:4000,1518:1000". */
export function formatSizeCounts(counts: readonly SizeCount[]): string {
  return counts.map(({ size, packets }) => `${size}:${packets}`).join(',');
}

/** A job's frame sizes, readable: "64", "64-1518", "64:7,594:4,1518:1". */
export function formatJobSizes(data: { s_min: number; s_max: number; sizes?: readonly SizeWeight[] }): string {
  if (data.sizes?.length) return formatSizeMix(data.sizes);
  return data.s_max > data.s_min ? `${data.s_min}-${data.s_max}` : String(data.s_min);
}

/**
 * The mean frame, bytes: weighted over a mix, else the middle of [s_min, s_max] (sizes there are
 * uniform). A packet rate is paced as bytes at this mean.
 */
export function meanFrameBytes(data: { s_min: number; s_max: number; sizes?: readonly SizeWeight[] }): number {
  if (data.sizes?.length) {
    const total = data.sizes.reduce((sum, e) => sum + e.weight, 0);
    return data.sizes.reduce((sum, e) => sum + e.size * e.weight, 0) / total;
  }
  return (data.s_min + (data.s_max || data.s_min)) / 2;
}
