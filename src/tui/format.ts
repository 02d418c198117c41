import type { Stats } from '../protocol/messages.js';
import { escapeControl } from '../text.js';

/** Cuts text to `width` cells, marking a cut with "…"; control characters are escaped first. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const safe = escapeControl(text);
  return safe.length <= width ? safe : `${safe.slice(0, width - 1)}…`;
}

/** Pads (or cuts) text to exactly `width` cells. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

/** The first candidate that fits `width`, else the last one cut to fit. */
export function firstFitting(candidates: readonly string[], width: number): string {
  return candidates.find((text) => text.length <= width) ?? truncate(candidates.at(-1) ?? '', width);
}

/** A rate in Mbit/s with a precision that suits its size: 0.125, 19.9, 9412. */
export function formatMbps(mbps: number): string {
  if (mbps >= 1000) return mbps.toFixed(0);
  if (mbps >= 10) return mbps.toFixed(1);
  return mbps.toFixed(mbps >= 1 ? 2 : 3);
}

/** A loss ratio as a percentage, as report.ts prints it (3 decimals). */
export const formatLoss = (ratio: number): string => `${(ratio * 100).toFixed(3)}%`;

/** A round-trip time in microseconds, shortened to ms past 10 ms. */
export const formatRtt = (us: number): string => (us >= 10_000 ? `${(us / 1000).toFixed(1)}ms` : `${us.toFixed(0)}us`);

/** Brief result forms of a job's stats, richest first, for a cell that may be narrow. */
export function briefStats(stats: Stats | undefined): string[] {
  if (!stats) return ['ok'];
  const mbps = formatMbps(stats.tx_mbps);
  const loss = stats.rx_measured ? formatLoss(stats.loss_ratio) : '';
  const p99 = stats.rtt_us && stats.rtt_us.samples > 0 ? formatRtt(stats.rtt_us.p99) : '';
  const rich = [`${mbps} Mb/s`, loss && `loss ${loss}`, p99 && `p99 ${p99}`].filter(Boolean).join(', ');
  const short = [mbps, loss, p99].filter(Boolean).join(' ');
  return [rich, short, [mbps, loss].filter(Boolean).join(' '), mbps];
}

/** A progress bar of `width` cells: filled blocks, then shade. */
export function progressBar(progress: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(progress) ? progress : 0));
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(Math.max(0, width - filled));
}

/** The label after a bar: "warm" during the warm-up, else the percentage. */
export function progressLabel(progress: number, warmupShare: number): string {
  if (progress < warmupShare) return 'warm';
  return `${Math.floor(Math.min(1, Math.max(0, progress)) * 100)}%`.padStart(4);
}

/** Local wall-clock time, HH:MM:SS. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "1 job" / "3 jobs". */
export const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
