import type { Changes, LoadedFile } from '../store/store.js';
import type { Effect, StepResult } from './core.js';
import type { JobRecord, NodeRecord } from './types.js';

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
  private saved?: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void };

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

  /** Takes over the records (not the effects) of a batch that could not be saved, to save them again. */
  retry(failed: TurnBatch): void {
    for (const job of failed.jobs) this.jobs.add(job);
    for (const node of failed.nodes) this.nodes.add(node);
    this.files.push(...failed.files);
    this.removedJobs.push(...failed.removedJobs);
    for (const name of failed.removedNodes) this.nodeRemoved(name);
  }

  /** A removed node's earlier changes in this batch are not written: its row is only marked removed. */
  private nodeRemoved(name: string): void {
    for (const node of this.nodes) if (node.name === name) this.nodes.delete(node);
    this.removedNodes.add(name);
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

  /** Settles once this batch is saved (or could not be): what a status waits for before it is acknowledged. */
  whenSaved(): Promise<void> {
    if (!this.saved) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.saved = { promise, resolve, reject };
    }
    return this.saved.promise;
  }

  /** Settles whenSaved(): resolved, or rejected with the store's error. */
  settle(error?: unknown): void {
    if (error === undefined) this.saved?.resolve();
    else this.saved?.reject(error);
  }
}
