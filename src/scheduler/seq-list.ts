/** Largest run of items kept in one array; a longer one is split in two. */
const MAX_RUN = 1024;

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
    if (!last || last.at(-1)!.seq <= item.seq) {
      if (last && last.length < MAX_RUN) last.push(item);
      else this.runs.push([item]);
      return;
    }
    const r = this.firstRun((run) => run.at(-1)!.seq > item.seq);
    const run = this.runs[r]!;
    run.splice(upperBound(run, item.seq), 0, item);
    if (run.length > MAX_RUN) this.runs.splice(r + 1, 0, run.splice(run.length >> 1));
  }

  /** Removes this very item (found by seq, then identity); false if it is not in the list. */
  remove(item: T): boolean {
    for (let r = this.firstRun((run) => run.at(-1)!.seq >= item.seq); r < this.runs.length; r++) {
      const run = this.runs[r]!;
      for (let i = lowerBound(run, item.seq); i < run.length && run[i]!.seq === item.seq; i++) {
        if (run[i] !== item) continue;
        run.splice(i, 1);
        this.count -= 1;
        this.tidy(r);
        return true;
      }
      if (run.at(-1)!.seq > item.seq) return false;
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

  /** Drops run r if it is empty, or merges it with a neighbour when both are small: runs stay few. */
  private tidy(r: number): void {
    const run = this.runs[r]!;
    const small = (other: T[] | undefined) => other !== undefined && run.length + other.length <= MAX_RUN / 2;
    if (run.length === 0) this.runs.splice(r, 1);
    else if (small(this.runs[r + 1])) this.runs.splice(r, 2, run.concat(this.runs[r + 1]!));
    else if (small(this.runs[r - 1])) this.runs.splice(r - 1, 2, this.runs[r - 1]!.concat(run));
  }

  /** Index of the first run for which `past` holds (runs.length if none); `past` must be monotonic. */
  private firstRun(past: (run: T[]) => boolean): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (past(this.runs[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
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
