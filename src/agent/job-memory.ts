import { decodeStatus, encodeStatus, type Status } from '../protocol/messages.js';

/** Finished job ids a node remembers at most (the queued and the running one come on top). */
export const REMEMBERED_JOBS = 10_000;

/** What the node knows of one job id. */
export interface Remembered {
  /** The last STARTED, SUCCESS or FAIL posted for it, encoded (a SUCCESS carries its statistics). */
  last?: Uint8Array;
  final: boolean;
}

/** A job arriving with an id: one to take, or one the node has or had (with its last status, if any). */
export type Arrival = { kind: 'new' } | { kind: 'repeat'; last?: Status };

/**
 * The job ids a node has taken, and the last status of each, so that a job delivered twice runs
 * once and the second delivery gets the status of the first: the scheduler sends a job again when
 * it never heard that it started, or when the reply of a job's delivery was lost. A retry the user
 * asked for comes with an id of its own (`<id>.<run>`, src/scheduler/wire-id.ts), so it is new here.
 *
 * Bounded: beyond `limit` the oldest finished ids are forgotten; a queued or running one never is.
 */
export class JobMemory {
  private readonly entries = new Map<string, Remembered>();

  /** `changed` hears of every entry taken or given a status (a state file keeps them). */
  constructor(private readonly limit = REMEMBERED_JOBS, private readonly changed?: (id: string, entry: Remembered) => void) {}

  /** Ids remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether job `id` is new here. */
  arrived(id: string): Arrival {
    const entry = this.entries.get(id);
    if (!entry) return { kind: 'new' };
    return { kind: 'repeat', last: entry.last && decodeStatus(entry.last) };
  }

  /** Job `id` is taken (queued): remembered from now on. */
  taken(id: string): void {
    const entry: Remembered = { final: false };
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.trim();
    this.changed?.(id, entry);
  }

  /** A status posted for a job: its current status from now on (PROGRESS is not kept). */
  posted(status: Status): void {
    const entry = this.entries.get(status.job_id);
    if (!entry || status.type === 'PROGRESS') return;
    entry.last = encodeStatus(status);
    entry.final = status.type !== 'STARTED';
    this.changed?.(status.job_id, entry);
  }

  /** Every entry, oldest first. */
  list(): Array<[string, Remembered]> {
    return [...this.entries];
  }

  /** Puts back an entry read from a state file, as the newest. */
  restore(id: string, entry: Remembered): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.trim();
  }

  private trim(): void {
    if (this.entries.size <= this.limit) return;
    for (const [id, entry] of this.entries) {
      if (!entry.final) continue;
      this.entries.delete(id);
      if (this.entries.size <= this.limit) return;
    }
  }
}
