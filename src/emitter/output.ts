import type { OneWay, Rtt, Stats } from '../protocol/messages.js';

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
  /** RTT of the echoes that arrived during the interval (measured phase, --latency, any echo). */
  rtt_p50_us?: number;
  rtt_p99_us?: number;
  rtt_samples?: number;
}

/** After the run: the echoes of the packets sent in measured interval `index` (by send time). */
export interface IntervalEchoesEvent {
  event: 'interval_echoes';
  index: number;
  rx_packets: number;
  rx_bytes: number;
}

/** The helper's final summary line (numbers it could not measure are null). */
export interface SummaryEvent {
  event: 'summary';
  status: 'ok' | 'interrupted';
  [key: string]: unknown;
}

export type EmitterEvent = IntervalEvent | IntervalEchoesEvent | SummaryEvent;

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
  return event === 'interval' || event === 'interval_echoes' || event === 'summary' ? (value as EmitterEvent) : undefined;
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
  // A mix: what was sent of each size, as the helper counted it.
  if (Array.isArray(summary.tx_sizes)) {
    stats.tx_sizes = summary.tx_sizes.map((entry: Record<string, unknown>) => ({ size: num(entry?.size), packets: num(entry?.packets) }));
  }
  const rtt = percentiles(summary.rtt_us);
  if (rtt) stats.rtt_us = rtt;
  const oneWay = oneWayStats(summary.one_way);
  if (oneWay) stats.one_way = oneWay;
  return stats;
}

/** A histogram's figures in us (the helper's rtt_us shape); undefined when absent (null). */
function percentiles(value: unknown): Rtt | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  return {
    min: num(r.min), p25: num(r.p25), p50: num(r.p50), p75: num(r.p75), p90: num(r.p90), p95: num(r.p95),
    p99: num(r.p99), p999: num(r.p999), max: num(r.max), mean: num(r.mean), std: num(r.std), samples: num(r.samples),
  };
}

/**
 * The helper's one_way object as Stats.one_way; undefined when no echo came back at all (nothing
 * one-way to say beyond rx_measured). What could not be measured is named in the note.
 */
export function oneWayStats(value: unknown): OneWay | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const answered = num(o.answered);
  const askedBack = num(o.asked_back);
  if (answered === 0 && askedBack === 0) return undefined;
  const notes: string[] = [];
  if (answered === 0) notes.push('the reflector echoed the one-way request unanswered: it is not a pktgen reflector that knows one-way figures (an older pktgen, or a plain echo service)');
  else if (o.fwd_loss === null) notes.push('too few answered echoes to count losses');
  const jitter = o.fwd_jitter_us !== null && o.fwd_jitter_us !== undefined && answered > 0;
  if (answered > 0 && !jitter) notes.push('no jitter or delay without latency stamps (job "l": true, submit --latency)');
  const fwdDelay = percentiles(o.fwd_delay_us);
  const retDelay = percentiles(o.ret_delay_us);
  if (jitter && !fwdDelay) {
    notes.push(o.clocks_comparable === true
      ? 'no delay: every one-way delay came out negative'
      : 'no delay: the reflector stamps on another clock (another host) and no clock offset was declared on both ends (serve --clock-offset)');
  }
  if (num(o.negative_delays) > 0) notes.push(`${num(o.negative_delays)} delays came out negative and were left out: the clocks are not as close as declared`);
  const oneWay: OneWay = {
    answered,
    fwd_sent: num(o.fwd_sent), fwd_received: num(o.fwd_received), fwd_loss: num(o.fwd_loss),
    ret_sent: num(o.ret_sent), ret_received: num(o.ret_received), ret_loss: num(o.ret_loss),
    reflector_dropped: num(o.reflector_dropped), reflector_overflow: num(o.reflector_overflow),
    jitter_measured: jitter, fwd_jitter_us: num(o.fwd_jitter_us), ret_jitter_us: num(o.ret_jitter_us),
    note: notes.join('; '),
  };
  if (fwdDelay) oneWay.fwd_delay_us = fwdDelay;
  if (retDelay) oneWay.ret_delay_us = retDelay;
  return oneWay;
}
