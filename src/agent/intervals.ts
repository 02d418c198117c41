import type { IntervalEchoesEvent, IntervalEvent } from '../emitter/output.js';
import type { Interval } from '../protocol/messages.js';

/** Intervals a PROGRESS carries: the newest few, so that a coalesced or dropped report loses none a client shows. */
export const PROGRESS_INTERVALS = 16;

/**
 * A running job's measured intervals, built from the helper's report lines: warm-up lines only
 * advance the clock, each measured line becomes the next Interval. While the job runs, rx counts
 * the echoes that arrived in an interval; the helper's closing `interval_echoes` lines then replace
 * them with the echoes of the packets sent in it, so the result's per-interval loss is exact.
 */
export class IntervalRecorder {
  private readonly intervals: Interval[] = [];
  /** Seconds from the helper's start to the end of its last line. */
  private lastEndS = 0;

  /** `startedAtMs`: when the helper started, by this node's clock. */
  constructor(private readonly startedAtMs: number) {}

  /** Takes one line of the helper; returns the new measured interval, if the line made one. */
  add(event: IntervalEvent | IntervalEchoesEvent): Interval | undefined {
    if (event.event === 'interval_echoes') {
      const interval = this.intervals[event.index];
      if (interval) Object.assign(interval, rxFigures(interval.tx_packets, event.rx_packets, event.rx_bytes));
      return undefined;
    }
    const startS = this.lastEndS;
    this.lastEndS = event.t;
    if (event.phase !== 'measure') return undefined;
    const interval: Interval = {
      index: this.intervals.length,
      start_ms: this.startedAtMs + startS * 1000,
      duration_s: Math.max(0, event.t - startS),
      tx_packets: event.tx_packets,
      tx_bytes: event.tx_bytes,
      tx_mbps: event.tx_mbps,
      tx_mpps: event.tx_mpps,
      ...rxFigures(event.tx_packets, event.rx_packets ?? 0, event.rx_bytes ?? 0),
      rtt_p50_us: event.rtt_p50_us ?? 0,
      rtt_p99_us: event.rtt_p99_us ?? 0,
      rtt_samples: event.rtt_samples ?? 0,
    };
    this.intervals.push(interval);
    return interval;
  }

  /** The newest `count` measured intervals, copies. */
  recent(count = PROGRESS_INTERVALS): Interval[] {
    return this.intervals.slice(-count).map((interval) => ({ ...interval }));
  }

  /** Every measured interval, for the result; rx figures zeroed when no echo was measured. */
  result(rxMeasured: boolean): Interval[] {
    return this.intervals.map((interval) => (rxMeasured ? { ...interval } : { ...interval, ...rxFigures(interval.tx_packets, 0, 0), loss_ratio: 0 }));
  }
}

/** rx counts and the loss they give (never below 0: live counts may include echoes of the interval before). */
function rxFigures(txPackets: number, rxPackets: number, rxBytes: number): Pick<Interval, 'rx_packets' | 'rx_bytes' | 'loss_ratio'> {
  const loss = txPackets > 0 ? Math.max(0, (txPackets - rxPackets) / txPackets) : 0;
  return { rx_packets: rxPackets, rx_bytes: rxBytes, loss_ratio: loss };
}
