import type { Changes, LoadedFile } from '../store/store.js';
import type { Effect, StepResult } from './core.js';
import type { JobRecord, NodeRecord } from './types.js';

/**
 * True for an effect that leaves the process (a job or a cancel request to a node, a removed node
 * told to stop and forgotten): it waits for its change to be saved.
 */
export const leavesProcess = (effect: Effect): boolean => effect.type === 'sendJob' || effect.type === 'cancelJob' || effect.type === 'forgetNode';

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * The store changes and effects of the events handled in one event-loop turn, so the service saves
 * them in one transaction and only then carries the effects out. Records are the core's live
 * objects, so a job changed by several events is written once, in its latest state.
 */
export class TurnBatch {
  readonly effects: Effect[] = [];
  private readonly jobs = new Set<JobRecord>();
  private readonly nodes = new Set<NodeRecord>();
  private readonly files: LoadedFile[] = [];
  private readonly removedJobs: string[] = [];
  /** Nodes that left, by name; a node written again afterwards (its name taken again) leaves this list. */
  private readonly removedNodes = new Set<string>();
  private saved?: Waiter;
  private savedAtLast?: Waiter;
  /** whenSavedAtLast() waiters of earlier batches that could not be saved. */
  private readonly held: Waiter[] = [];

  /** Adds one event's outcome (and the jobs file it came from, if any). */
  add(result: StepResult, file?: LoadedFile): void {
    for (const job of result.changedJobs) this.jobs.add(job);
    for (const name of result.removedNodes ?? []) this.nodeRemoved(name);
    for (const node of result.changedNodes) {
      this.nodes.add(node);
      this.removedNodes.delete(node.name);
    }
    if (file) this.files.push(file);
    for (const id of result.removedJobs) this.removedJobs.push(id);
    for (const effect of result.effects) this.effects.push(effect);
  }

  /**
   * Takes over what a batch that could not be saved still owes: its records, to save them again,
   * the effects that leave the process, to carry them out once they are saved (the caller carries
   * out the others at once), and the waiters of whenSavedAtLast().
   */
  retry(failed: TurnBatch): void {
    for (const job of failed.jobs) this.jobs.add(job);
    for (const node of failed.nodes) this.nodes.add(node);
    this.files.push(...failed.files);
    this.removedJobs.push(...failed.removedJobs);
    for (const name of failed.removedNodes) this.nodeRemoved(name);
    this.effects.unshift(...failed.effects.filter(leavesProcess));
    this.held.push(...failed.held);
    if (failed.savedAtLast) this.held.push(failed.savedAtLast);
  }

  /** A removed node's earlier changes in this batch are not written: its row is only marked removed. */
  private nodeRemoved(name: string): void {
    for (const node of this.nodes) if (node.name === name) this.nodes.delete(node);
    this.removedNodes.add(name);
  }

  /** Drops the job records `saved` says are saved as they are (a request's rows, written before the core applied it). */
  alreadySaved(saved: (job: JobRecord) => boolean): void {
    for (const job of this.jobs) if (saved(job)) this.jobs.delete(job);
  }

  /** Records and removals waiting to be saved (a record changed by several events counts once). */
  get size(): number {
    return this.jobs.size + this.nodes.size + this.removedJobs.length + this.removedNodes.size + this.files.length;
  }

  /** True when some record changed or was removed (a file alone changes no scheduler state). */
  get changedRecords(): boolean {
    return this.jobs.size > 0 || this.nodes.size > 0 || this.removedJobs.length > 0 || this.removedNodes.size > 0;
  }

  /** The change set to save, or undefined when there is nothing to write. */
  changes(): Changes | undefined {
    if (!this.changedRecords && this.files.length === 0) return undefined;
    const changes: Changes = { nodes: [...this.nodes], jobs: [...this.jobs], files: this.files, removedJobs: this.removedJobs };
    if (this.removedNodes.size > 0) changes.removedNodes = [...this.removedNodes];
    return changes;
  }

  /**
   * Settles once this batch is saved, or rejects at the first attempt that fails: what a status on
   * the legacy wire waits for before it is acknowledged (refused, its node sends it again).
   */
  whenSaved(): Promise<void> {
    this.saved ??= waiter();
    return this.saved.promise;
  }

  /**
   * Settles once this batch is saved, however many attempts that takes (a failed one hands it on
   * through retry()); rejects only through abandon(). What a status on a session waits for: the
   * session stays open and the acknowledgement leaves when the status is saved.
   */
  whenSavedAtLast(): Promise<void> {
    this.savedAtLast ??= waiter();
    return this.savedAtLast.promise;
  }

  /** After an attempt to save: resolves every waiter, or (error) rejects whenSaved()'s only. */
  settle(error?: unknown): void {
    if (error !== undefined) return this.saved?.reject(error);
    this.saved?.resolve();
    this.savedAtLast?.resolve();
    for (const held of this.held) held.resolve();
  }

  /** Rejects every waiter: the batch will never be saved (the scheduler stops). */
  abandon(error: unknown): void {
    this.saved?.reject(error);
    this.savedAtLast?.reject(error);
    for (const held of this.held) held.reject(error);
  }
}
