import { Heap } from './heap.js';
import { SeqList } from './seq-list.js';
import type { JobRecord } from './types.js';

type JobState = JobRecord['state'];

/**
 * The jobs the core holds in seq order: all of them (what the terminal UI asks for), and split by
 * node and state, counted by state. Updated on every change: a new job is appended to two lists,
 * a state change moves it from one (node, state) list to another. Queries read these lists instead
 * of every job; one over several (node, state) lists merges their newest entries.
 */
export class JobIndex {
  private readonly all = new SeqList<JobRecord>();
  private readonly byNode = new Map<string, Map<JobState, SeqList<JobRecord>>>();
  private readonly byState = new Map<JobState, number>();

  /** A job the core now holds, in its current state. */
  added(job: JobRecord): void {
    this.all.insert(job);
    this.entered(job);
  }

  /** A job the core no longer holds. */
  removed(job: JobRecord): void {
    this.all.remove(job);
    this.left(job, job.state);
  }

  /** A job whose state changed from `from` to job.state. */
  moved(job: JobRecord, from: JobState): void {
    if (from === job.state) return;
    this.left(job, from);
    this.entered(job);
  }

  /** How many jobs of a node (every node when empty) are in a state. */
  count(node: string, state: JobState): number {
    if (node) return this.byNode.get(node)?.get(state)?.size ?? 0;
    return this.byState.get(state) ?? 0;
  }

  /**
   * The newest `limit` jobs (all when 0), oldest first, of a node (every node when empty) in one of
   * `states` (any when empty), and how many match.
   */
  find(node: string | undefined, states: readonly string[], limit: number): { jobs: JobRecord[]; total: number } {
    if (!node && states.length === 0) return { jobs: this.all.newest(limit), total: this.all.size };
    const nodes = node ? [this.byNode.get(node) ?? new Map<JobState, SeqList<JobRecord>>()] : this.byNode.values();
    const lists: Array<SeqList<JobRecord>> = [];
    for (const byState of nodes) {
      for (const [listState, list] of byState) {
        if ((states.length === 0 || states.includes(listState)) && list.size > 0) lists.push(list);
      }
    }
    const total = lists.reduce((sum, list) => sum + list.size, 0);
    return { jobs: newest(lists, limit, total), total };
  }

  private entered(job: JobRecord): void {
    this.listOf(job.node, job.state).insert(job);
    this.byState.set(job.state, this.count('', job.state) + 1);
  }

  private left(job: JobRecord, state: JobState): void {
    this.listOf(job.node, state).remove(job);
    this.byState.set(state, this.count('', state) - 1);
  }

  private listOf(node: string, state: JobState): SeqList<JobRecord> {
    let byState = this.byNode.get(node);
    if (!byState) {
      byState = new Map();
      this.byNode.set(node, byState);
    }
    let list = byState.get(state);
    if (!list) {
      list = new SeqList();
      byState.set(state, list);
    }
    return list;
  }
}

/** The newest `limit` (all when 0) of the jobs in several lists, oldest first. */
function newest(lists: Array<SeqList<JobRecord>>, limit: number, total: number): JobRecord[] {
  if (lists.length === 1) return lists[0]!.newest(limit);
  if (limit === 0 || limit >= total) return lists.flatMap((list) => list.newest()).sort((a, b) => a.seq - b.seq);
  // A k-way merge from the newest end: it reads `limit` jobs, not every matching one.
  type Cursor = { job: JobRecord; rest: Iterator<JobRecord> };
  const heads = new Heap<Cursor>((a, b) => a.job.seq > b.job.seq);
  for (const list of lists) {
    const rest = list.newestFirst();
    heads.push({ job: rest.next().value as JobRecord, rest });
  }
  const out: JobRecord[] = [];
  while (out.length < limit) {
    const head = heads.pop()!;
    out.push(head.job);
    const next = head.rest.next();
    if (!next.done) heads.push({ job: next.value, rest: head.rest });
  }
  return out.reverse();
}
