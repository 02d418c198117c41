import { PktgenError } from '../errors.js';
import type { JobRecord, NodeRecord, SchedulerState } from '../scheduler/types.js';
import { JOB_STATES, NODE_HEALTHS } from '../protocol/view.js';
import { nextSeqAfter } from './store.js';
import type { Changes, LoadedFile, SchedulerStore } from './store.js';
import { SEARCH_STATES, type SearchRecord } from '../scheduler/search.js';

/**
 * A SchedulerStore in process memory, for tests and state that need not outlive the process. It
 * enforces the SQLite schema's constraints, so a change set one store rejects, the other rejects too.
 */
export class MemoryStore implements SchedulerStore {
  private nodes = new Map<string, NodeRecord>();
  private jobs = new Map<string, JobRecord>();
  private files = new Map<string, LoadedFile>();
  private searches = new Map<string, SearchRecord>();
  /** Nodes removed while jobs of theirs are kept: held (jobs refer to them) but not loaded. */
  private removedNodes = new Set<string>();
  private nextSeq = 0;

  /** Copies out every record, ordered by seq (ties keep insertion order, as in SQLite). */
  load(): SchedulerState {
    const bySeq = (a: { seq: number }, b: { seq: number }) => a.seq - b.seq;
    const nodes = [...this.nodes.values()].filter((node) => !this.removedNodes.has(node.name)).sort(bySeq);
    const jobs = [...this.jobs.values()].sort(bySeq);
    return {
      nodes: new Map(nodes.map((node) => [node.name, structuredClone(node)])),
      jobs: new Map(jobs.map((job) => [job.id, structuredClone(job)])),
      nextSeq: this.nextSeq,
    };
  }

  /** Validates the whole change set first, then copies it in, so a bad record changes nothing. */
  apply(changes: Changes): void {
    this.validate(changes);
    for (const node of changes.nodes ?? []) {
      this.nodes.set(node.name, structuredClone(node));
      this.removedNodes.delete(node.name);
    }
    for (const job of changes.jobs ?? []) this.jobs.set(job.id, structuredClone(job));
    for (const file of changes.files ?? []) this.files.set(file.hash, structuredClone(file));
    for (const search of changes.searches ?? []) this.searches.set(search.id, structuredClone(search));
    for (const id of changes.removedJobs ?? []) this.jobs.delete(id);
    for (const name of changes.removedNodes ?? []) {
      if ([...this.jobs.values()].some((job) => job.node === name)) this.removedNodes.add(name);
      else this.nodes.delete(name);
    }
    this.nextSeq = nextSeqAfter(this.nextSeq, changes);
  }

  /** Copies of every search, oldest first (ties in insertion order, as in SQLite). */
  loadSearches(): SearchRecord[] {
    return [...this.searches.values()].sort((a, b) => a.createdAt - b.createdAt).map((search) => structuredClone(search));
  }

  /** A copy of the file record, if that hash was loaded before. */
  findFile(hash: string): LoadedFile | undefined {
    const file = this.files.get(hash);
    return file && structuredClone(file);
  }

  /** Nothing to release. */
  close(): void {}

  private validate(changes: Changes): void {
    const incoming = new Set((changes.nodes ?? []).map((node) => node.name));
    for (const node of changes.nodes ?? []) {
      if (!NODE_HEALTHS.includes(node.health)) fail(`node ${node.name} has unknown health "${node.health}"`);
    }
    for (const job of changes.jobs ?? []) {
      if (!JOB_STATES.includes(job.state)) fail(`job ${job.id} has unknown state "${job.state}"`);
      if (!(job.run >= 1)) fail(`job ${job.id} has run ${job.run}: runs count from 1`);
      if (!this.nodes.has(job.node) && !incoming.has(job.node)) fail(`job ${job.id} names unknown node ${job.node}`);
    }
    for (const search of changes.searches ?? []) {
      if (!SEARCH_STATES.includes(search.state)) fail(`search ${search.id} has unknown state "${search.state}"`);
    }
  }
}

function fail(reason: string): never {
  throw new PktgenError('ERR_STORE', `cannot save scheduler state in memory: ${reason}`);
}
