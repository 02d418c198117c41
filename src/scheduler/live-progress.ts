import type { Interval, Stats } from '../protocol/messages.js';

/**
 * Intervals kept per running job: a client polling every few hundred ms sees each one many times
 * over before it leaves; one it missed is in the job's result. Bounds the scheduler's memory at
 * ~64 intervals a node, whatever the job's length.
 */
export const LIVE_INTERVALS = 64;

/**
 * What a running job's node last reported (not persisted): elapsed time, the last interval's rate,
 * and its newest measured intervals by index. A PROGRESS may be coalesced away on the node, so
 * each carries several intervals: merging by index loses none of them and repeats none.
 */
export class LiveProgress {
  elapsedS = 0;
  mbps = 0;
  private readonly byIndex = new Map<number, Interval>();

  /** Takes one PROGRESS report. */
  update(elapsedS: number, stats: Stats | undefined): void {
    this.elapsedS = elapsedS;
    this.mbps = stats?.tx_mbps ?? 0;
    for (const interval of stats?.intervals ?? []) this.byIndex.set(interval.index, interval);
    if (this.byIndex.size <= LIVE_INTERVALS) return;
    const indexes = [...this.byIndex.keys()].sort((a, b) => a - b);
    for (const index of indexes.slice(0, indexes.length - LIVE_INTERVALS)) this.byIndex.delete(index);
  }

  /** The newest intervals, in index order. */
  intervals(): Interval[] {
    return [...this.byIndex.values()].sort((a, b) => a.index - b.index);
  }
}
