import { SeqList } from './seq-list.js';
import type { JobRecord, JobState } from './types.js';

/** The lists one node's jobs are in: all of them, and those in each state. */
interface NodeLists {
  all: SeqList<JobRecord>;
  byState: Map<JobState, SeqList<JobRecord>>;
}

/** A list of jobs as a query reads it. */
export type JobList = Pick<SeqList<JobRecord>, 'size' | 'newest'>;

const none: JobList = new SeqList<JobRecord>();

/**
 * The jobs the core holds, listed in seq order four ways (all; by node; by state; by node and
 * state) and kept up to date on every change, so a query reads the one list it needs (its size is
 * the count) instead of scanning every job. Lookup by id is the state's own map.
 */
export class JobIndex {
  private readonly all = new SeqList<JobRecord>();
  private readonly byState = new Map<JobState, SeqList<JobRecord>>();
  private readonly byNode = new Map<string, NodeLists>();

  /** A job the core now holds, in its current state. */
  added(job: JobRecord): void {
    const node = this.nodeLists(job.node);
    this.all.insert(job);
    node.all.insert(job);
    listOf(this.byState, job.state).insert(job);
    listOf(node.byState, job.state).insert(job);
  }

  /** A job the core no longer holds. */
  removed(job: JobRecord): void {
    const node = this.nodeLists(job.node);
    this.all.remove(job);
    node.all.remove(job);
    listOf(this.byState, job.state).remove(job);
    listOf(node.byState, job.state).remove(job);
  }

  /** A job whose state changed from `from` to job.state. */
  moved(job: JobRecord, from: JobState): void {
    if (from === job.state) return;
    const node = this.nodeLists(job.node);
    listOf(this.byState, from).remove(job);
    listOf(node.byState, from).remove(job);
    listOf(this.byState, job.state).insert(job);
    listOf(node.byState, job.state).insert(job);
  }

  /** The jobs of a node (every node when empty or absent) in a state (any when empty or absent), in seq order. */
  list(node?: string, state?: string): JobList {
    const lists = node ? this.byNode.get(node) : undefined;
    if (node && !lists) return none;
    const byState = lists ? lists.byState : this.byState;
    if (state) return byState.get(state as JobState) ?? none;
    return lists ? lists.all : this.all;
  }

  /** How many jobs of a node (every node when empty) are in a state. */
  count(node: string, state: JobState): number {
    return this.list(node, state).size;
  }

  private nodeLists(name: string): NodeLists {
    let lists = this.byNode.get(name);
    if (!lists) {
      lists = { all: new SeqList(), byState: new Map() };
      this.byNode.set(name, lists);
    }
    return lists;
  }
}

function listOf(lists: Map<JobState, SeqList<JobRecord>>, state: JobState): SeqList<JobRecord> {
  let list = lists.get(state);
  if (!list) {
    list = new SeqList();
    lists.set(state, list);
  }
  return list;
}
