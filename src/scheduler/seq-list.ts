/**
 * Largest run of items kept in one array; a longer one is split in two. Small runs make a change
 * cheap (it shifts at most MAX_RUN items) and lookups hardly dearer (a binary search over the runs):
 * driving 100k jobs through the core, 64 and 128 cost about the same, 1024 about three times as much.
 */
const MAX_RUN = 128;

/**
 * Items kept in `seq` order (equal seqs in insertion order), for listing the newest N without a
 * sort. A list of sorted runs, each at most MAX_RUN long: an insert or a removal finds its run by
 * binary search and shifts at most MAX_RUN items, where one sorted array of 100k jobs would move
 * up to all of them on every change.
 */
export class SeqList<T extends { seq: number }> {
  private readonly runs: T[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(item: T): void {
    this.count += 1;
    const last = this.runs.at(-1);
    // Most inserts are the newest item so far (a new job, a job that just finished): append.
    if (!last || lastSeq(last) <= item.seq) {
      if (last && last.length < MAX_RUN) last.push(item);
      else this.runs.push([item]);
      return;
    }
    const r = this.firstRunEndingAfter(item.seq, false);
    const run = this.runs[r]!;
    run.splice(upperBound(run, item.seq), 0, item);
    if (run.length > MAX_RUN) this.runs.splice(r + 1, 0, run.splice(run.length >> 1));
  }

  /** Removes this very item (found by seq, then identity); false if it is not in the list. */
  remove(item: T): boolean {
    for (let r = this.firstRunEndingAfter(item.seq, true); r < this.runs.length; r++) {
      const run = this.runs[r]!;
      for (let i = lowerBound(run, item.seq); i < run.length && run[i]!.seq === item.seq; i++) {
        if (run[i] !== item) continue;
        run.splice(i, 1);
        this.count -= 1;
        this.tidy(r);
        return true;
      }
      if (lastSeq(run) > item.seq) return false;
    }
    return false;
  }

  /** The newest `limit` items (all when 0), oldest first. */
  newest(limit = 0): T[] {
    const wanted = limit > 0 ? Math.min(limit, this.count) : this.count;
    const out: T[] = [];
    for (let r = this.runs.length - 1; r >= 0 && out.length < wanted; r--) {
      const run = this.runs[r]!;
      const take = Math.min(run.length, wanted - out.length);
      // Runs are collected newest first and flipped once at the end.
      for (let i = run.length - 1; i >= run.length - take; i--) out.push(run[i]!);
    }
    return out.reverse();
  }

  /** Every item, newest first. */
  *newestFirst(): Generator<T> {
    for (let r = this.runs.length - 1; r >= 0; r--) {
      const run = this.runs[r]!;
      for (let i = run.length - 1; i >= 0; i--) yield run[i]!;
    }
  }

  /** Drops run r if it is empty, or merges it with a neighbour when both are small: runs stay few. */
  private tidy(r: number): void {
    const run = this.runs[r]!;
    if (run.length === 0) return void this.runs.splice(r, 1);
    if (run.length > MAX_RUN / 4) return;
    const next = this.runs[r + 1];
    const previous = this.runs[r - 1];
    if (next && run.length + next.length <= MAX_RUN / 2) this.runs.splice(r, 2, run.concat(next));
    else if (previous && previous.length + run.length <= MAX_RUN / 2) this.runs.splice(r - 1, 2, previous.concat(run));
  }

  /** Index of the first run whose last seq is > seq (>= seq when `orAt`); runs.length if none. */
  private firstRunEndingAfter(seq: number, orAt: boolean): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const last = lastSeq(this.runs[mid]!);
      if (last > seq || (orAt && last === seq)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function lastSeq(run: Array<{ seq: number }>): number {
  return run[run.length - 1]!.seq;
}

/** First index whose seq is >= seq. */
function lowerBound(run: Array<{ seq: number }>, seq: number): number {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (run[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose seq is > seq. */
function upperBound(run: Array<{ seq: number }>, seq: number): number {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (run[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
