import type { JobRecord } from './types.js';

/** Spent entries at the head of the queue before it is compacted (when they are also half of it). */
const COMPACT_AFTER = 1024;

/**
 * The finished jobs the core may remove, in the order they finished: a queue with lazy deletion,
 * so retention takes the oldest in O(1) amortized. A job finishes once (a late result for a lost
 * job is kept beside it and leaves its finishedAt alone), so it is queued once. A cancelled job is
 * queued when its node lets it go, behind jobs that finished meanwhile: it may outstay keepForMs by
 * as long as its node held it.
 */
export class FinishedJobs {
  private jobs: JobRecord[] = [];
  private finishedAt: Array<number | undefined> = [];
  private head = 0;
  private held = 0;

  /** @param holding the core's jobs by id: an entry whose job is no longer there is spent */
  constructor(private readonly holding: ReadonlyMap<string, JobRecord>) {}

  /** Finished jobs held, each counted once. */
  get size(): number {
    return this.held;
  }

  /** A job is final and its node let it go: it may be removed from now on. */
  add(job: JobRecord): void {
    this.held += 1;
    this.push(job);
  }

  /**
   * Hands the oldest finished jobs to `remove` (which must drop them from `holding`) while more
   * than `keep` are held or the oldest finished before `finishedBefore` (ms).
   */
  evict(keep: number, finishedBefore: number, remove: (job: JobRecord) => void): void {
    while (this.head < this.jobs.length) {
      const job = this.jobs[this.head]!;
      const at = this.finishedAt[this.head];
      const live = this.holding.get(job.id) === job && job.finishedAt === at;
      if (live && this.held <= keep && (at ?? 0) >= finishedBefore) break;
      this.head += 1;
      if (!live) continue;
      this.held -= 1;
      remove(job);
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.finishedAt = this.finishedAt.slice(this.head);
      this.head = 0;
    }
  }

  private push(job: JobRecord): void {
    this.jobs.push(job);
    this.finishedAt.push(job.finishedAt);
  }
}
