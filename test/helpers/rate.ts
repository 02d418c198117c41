import assert from 'node:assert/strict';
import type { ReceivedPacket } from './udp-receiver.js';

/**
 * Asserts that a measured rate (or an amount of traffic) is within 0.5x..1.5x of what was asked
 * for: traffic flowed at about the right rate. How close it gets is timing, measured side by side
 * in bench/emit-rate.ts, not asserted by tests on a shared machine.
 */
export function assertSaneRate(actual: number, requested: number, what: string): void {
  assert.ok(actual >= requested * 0.5 && actual <= requested * 1.5, `${what}: ${actual}, expected ${requested} x 0.5..1.5`);
}

/** How fast traffic arrived at a sink, as a rate cap is held to it. */
export interface SinkRate {
  /** Frame bytes x 8 over the run's length (w + t seconds), Mbit/s. */
  overRunMbps: number;
  /** Frame bytes x 8 between the first and the last send stamp (what carries the last stamp left out), Mbit/s. */
  overStampsMbps: number;
  /** Most frame bytes stamped within any window of `windowMs`. */
  maxWindowBytes: number;
}

/** Measures what a sink received: by the run's length, by the packets' own send stamps, and per window. */
export function sinkRate(packets: readonly ReceivedPacket[], runS: number, windowMs = 100): SinkRate {
  const stamped = packets.filter((p) => p.header !== undefined).sort((a, b) => (a.header!.txNs < b.header!.txNs ? -1 : 1));
  const bytes = packets.reduce((sum, p) => sum + p.frameBytes, 0);
  const spanNs = stamped.length > 1 ? Number(stamped.at(-1)!.header!.txNs - stamped[0]!.header!.txNs) : 0;
  const windowNs = BigInt(windowMs) * 1_000_000n;
  let maxWindowBytes = 0;
  for (let first = 0, last = 0, inWindow = 0; first < stamped.length; first++) {
    while (last < stamped.length && stamped[last]!.header!.txNs < stamped[first]!.header!.txNs + windowNs) inWindow += stamped[last++]!.frameBytes;
    maxWindowBytes = Math.max(maxWindowBytes, inWindow);
    inWindow -= stamped[first]!.frameBytes;
  }
  // A batch shares one stamp: everything stamped last left at that instant, after the span.
  const lastNs = stamped.at(-1)?.header!.txNs;
  const beforeLast = stamped.reduce((sum, p) => sum + (p.header!.txNs < lastNs! ? p.frameBytes : 0), 0);
  return {
    overRunMbps: (bytes * 8) / runS / 1e6,
    overStampsMbps: spanNs > 0 ? (beforeLast * 8) / (spanNs / 1e9) / 1e6 : 0,
    maxWindowBytes,
  };
}
