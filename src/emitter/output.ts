import type { Stats } from '../protocol/messages.js';

/** A per-interval report line of the helper. */
export interface IntervalEvent {
  event: 'interval';
  phase: 'warmup' | 'measure';
  t: number;
  tx_packets: number;
  tx_bytes: number;
  tx_mbps: number;
  tx_mpps: number;
  /** Echoes that arrived during the interval (0 without a reflector). */
  rx_packets?: number;
  rx_bytes?: number;
  stalls?: number;
}

/** The helper's final summary line (numbers it could not measure are null). */
export interface SummaryEvent {
  event: 'summary';
  status: 'ok' | 'interrupted';
  [key: string]: unknown;
}

export type EmitterEvent = IntervalEvent | SummaryEvent;

/** Parses one stdout line of the helper; returns undefined for anything that is not an event. */
export function parseEmitterLine(line: string): EmitterEvent | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = (value as { event?: unknown }).event;
  return event === 'interval' || event === 'summary' ? (value as EmitterEvent) : undefined;
}

/** Why what ran is not what was asked for: the send path's fallback, and "as fast as possible" paced at a ceiling. */
function fallbackNote(summary: SummaryEvent): string {
  const notes = [typeof summary.fallback === 'string' ? summary.fallback : ''];
  if (summary.rate_capped === true) notes.push(`as fast as possible was paced at --max-rate ${num(summary.max_rate_mbps)} Mbit/s`);
  return notes.filter(Boolean).join('; ');
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Why a run that stamped its packets for latency measured no RTT: what Stats.rtt_note says. */
export function noRttNote(rxMeasured: boolean, target: string): string {
  return rxMeasured ? `echoes came back from ${target}, but none carried a send timestamp` : `no echo from a reflector at ${target}`;
}

/** Maps the helper's summary onto the wire Stats; rx figures count only when rx was measured. */
export function summaryToStats(summary: SummaryEvent): Stats {
  const rxMeasured = summary.rx_measured === true;
  const stats: Stats = {
    tx_packets: num(summary.tx_packets),
    tx_bytes: num(summary.tx_bytes),
    rx_packets: rxMeasured ? num(summary.rx_packets) : 0,
    rx_bytes: rxMeasured ? num(summary.rx_bytes) : 0,
    loss_ratio: rxMeasured ? num(summary.loss_ratio) : 0,
    tx_mbps_mean: num(summary.tx_mbps_mean),
    tx_mbps_std: num(summary.tx_mbps_std),
    tx_mpps_mean: num(summary.tx_mpps_mean),
    tx_mpps_std: num(summary.tx_mpps_std),
    tx_wire_mbps_mean: num(summary.tx_wire_mbps_mean),
    rx_mbps_mean: rxMeasured ? num(summary.rx_mbps_mean) : 0,
    rx_mpps_mean: rxMeasured ? num(summary.rx_mpps_mean) : 0,
    requested_mbps: num(summary.requested_mbps),
    rx_measured: rxMeasured,
    duration_s: num(summary.duration_s),
    mode: typeof summary.mode === 'string' ? summary.mode : '',
    stalls: num(summary.stalls),
    duplicates: num(summary.duplicates),
    reordered: num(summary.reordered),
    tx_mbps: num(summary.tx_mbps),
    fallback: fallbackNote(summary),
    rtt_note: '',
    // The helper reports the threads it sent on; one predating threads sent on one.
    threads: num(summary.threads) || 1,
  };
  const rtt = summary.rtt_us;
  if (typeof rtt === 'object' && rtt !== null) {
    const r = rtt as Record<string, unknown>;
    stats.rtt_us = {
      min: num(r.min), p25: num(r.p25), p50: num(r.p50), p75: num(r.p75), p90: num(r.p90), p95: num(r.p95),
      p99: num(r.p99), p999: num(r.p999), max: num(r.max), mean: num(r.mean), std: num(r.std), samples: num(r.samples),
    };
  }
  return stats;
}
