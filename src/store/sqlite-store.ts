import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { PktgenError, UserError } from '../errors.js';
import type { JobRecord, NodeRecord, SchedulerState } from '../scheduler/types.js';
import { prepareSchema } from './sqlite-schema.js';
import { fileFromRow, fileParams, jobFromRow, jobParams, MalformedRowError, nodeFromRow, nodeParams, rowKey, sql } from './sqlite-rows.js';
import { nextSeqAfter } from './store.js';
import { SearchRows } from './sqlite-searches.js';
import type { SearchRecord } from '../scheduler/search.js';
import type { Changes, LoadedFile, SchedulerStore, SkippedRow } from './store.js';

/** How long a statement waits for another connection's lock before failing (SQLite busy_timeout). */
const BUSY_TIMEOUT_MS = 5000;
/**
 * WAL size after which a commit copies the WAL back into the database (SQLite's default: 1000 pages).
 * That checkpoint syncs the WAL and the database while the event loop waits: its stall grows with the
 * bytes written since the last one (~40 ms for 40 MiB, ~4 ms for 4 MiB here), while the total cost
 * per job hardly changes with the interval (bench/scheduler.ts).
 */
const WAL_CHECKPOINT_BYTES = 4 * 2 ** 20;

type Statements = { [Name in keyof typeof sql | 'begin' | 'beginRead' | 'commit' | 'rollback']: StatementSync };

/** The SchedulerStore on one SQLite file (node:sqlite), in WAL mode: one transaction per apply(). */
export class SqliteStore implements SchedulerStore {
  private readonly statements: Statements;
  private readonly searches: SearchRows;
  private nextSeq: number;

  private constructor(private readonly db: DatabaseSync, readonly path: string) {
    const prepare = (text: string) => db.prepare(text);
    this.statements = {
      begin: prepare('BEGIN IMMEDIATE'), beginRead: prepare('BEGIN'),
      commit: prepare('COMMIT'), rollback: prepare('ROLLBACK'),
      ...(Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, prepare(text)])) as Record<keyof typeof sql, StatementSync>),
    };
    for (const select of [this.statements.selectNodes, this.statements.selectJobs, this.statements.findFile]) select.setReturnArrays(true);
    this.searches = new SearchRows(db);
    this.nextSeq = this.statements.selectNextSeq.get()!.value as number;
    const pageBytes = db.prepare('PRAGMA page_size').get()!.page_size as number;
    db.exec(`PRAGMA wal_autocheckpoint = ${Math.max(1, Math.round(WAL_CHECKPOINT_BYTES / pageBytes))}`);
  }

  /** Opens (creating if need be) the database at `path`; its folder must exist. Throws UserError ERR_STORE. */
  static open(path: string): SqliteStore {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
    } catch (error) {
      throw openError(path, error);
    }
    try {
      prepareSchema(db, path);
      probeWrite(db, path);
      const store = new SqliteStore(db, path);
      store.pruneRemovedNodes();
      return store;
    } catch (error) {
      db.close();
      throw error instanceof PktgenError ? error : openError(path, error);
    }
  }

  /**
   * Reads nodes (removed ones left out), jobs and next_seq from one snapshot. A malformed row (a
   * column that does not hold what the schema says, a job of a node that was passed over) is passed over and told to
   * `skipped`: one bad row must not stop the scheduler from resuming everything else.
   */
  load(skipped: (row: SkippedRow) => void = () => {}): SchedulerState {
    const s = this.statements;
    return this.transaction(s.beginRead, 'read scheduler state from', () => {
      const read = <T>(table: 'nodes' | 'jobs', row: object, fromRow: (row: object) => T): T | undefined => {
        try {
          return fromRow(row);
        } catch (error) {
          if (!(error instanceof MalformedRowError)) throw error;
          skipped({ table, key: rowKey(table, row), why: error.message });
          return undefined;
        }
      };
      const nodes = new Map<string, NodeRecord>();
      const passedOver = new Set<string>();
      let nextSeq = 0;
      for (const row of s.selectNodes.iterate()) {
        const node = read('nodes', row, nodeFromRow);
        if (!node) {
          passedOver.add(rowKey('nodes', row));
          continue;
        }
        nodes.set(node.name, node);
        nextSeq = Math.max(nextSeq, node.seq + 1);
      }
      const jobs = new Map<string, JobRecord>();
      const dataCache = new Map();
      for (const row of s.selectJobs.iterate()) {
        const job = read('jobs', row, (r) => jobFromRow(r, dataCache));
        if (!job) continue;
        // The jobs of a removed node load (its row stays, marked removed); those of a malformed one cannot run.
        if (passedOver.has(job.node)) {
          skipped({ table: 'jobs', key: job.id, why: `its node ${job.node} was passed over` });
          continue;
        }
        jobs.set(job.id, job);
        nextSeq = Math.max(nextSeq, job.seq + 1);
      }
      const saved = s.selectNextSeq.get()?.value;
      if (Number.isSafeInteger(saved)) return { nodes, jobs, nextSeq: Math.max(nextSeq, saved as number) };
      skipped({ table: 'meta', key: 'next_seq', why: `value = ${String(saved)}: expected an integer; using ${nextSeq}, past every loaded seq` });
      return { nodes, jobs, nextSeq };
    });
  }

  /** Upserts nodes, jobs and files, then removes jobs, then nodes, all in one BEGIN IMMEDIATE transaction. */
  apply(changes: Changes): void {
    const s = this.statements;
    const nextSeq = nextSeqAfter(this.nextSeq, changes);
    this.transaction(s.begin, 'save scheduler state to', () => {
      for (const node of changes.nodes ?? []) s.upsertNode.run(...nodeParams(node));
      for (const job of changes.jobs ?? []) {
        const params = jobParams(job);
        // Most changes move a saved job along: a plain UPDATE costs less than the upsert's INSERT
        // attempt. A job never sent is most likely new, and a job the UPDATE missed is inserted.
        const isNew = job.sends === 0 && job.state === 'pending';
        if (isNew || s.updateJob.run(...params).changes === 0) s.upsertJob.run(...params);
      }
      for (const file of changes.files ?? []) s.upsertFile.run(...fileParams(file));
      for (const search of changes.searches ?? []) this.searches.save(search);
      for (const id of changes.removedJobs ?? []) s.removeJob.run(id);
      for (const name of changes.removedNodes ?? []) {
        if (s.deleteNode.run(name).changes === 0) s.markNodeRemoved.run(name);
      }
      // Most transitions touch an existing job, whose seq is below next_seq: skip that write.
      if (nextSeq > this.nextSeq) s.raiseNextSeq.run(nextSeq);
    });
    this.nextSeq = nextSeq;
  }

  /** Every saved search, oldest first; a malformed row is passed over and told to `skipped`. */
  loadSearches(skipped: (row: SkippedRow) => void = () => {}): SearchRecord[] {
    return this.transaction(this.statements.beginRead, 'read searches from', () => [...this.searches.all((key, why) => skipped({ table: 'searches', key, why }))]);
  }

  /** The file loaded before with this content hash, if any. */
  findFile(hash: string): LoadedFile | undefined {
    const row = this.statements.findFile.get(hash);
    return row && fileFromRow(row);
  }

  /** Deletes removed nodes no job refers to any more (retention removed their last); writes only when there are any. */
  private pruneRemovedNodes(): void {
    const s = this.statements;
    if (s.anyRemovedNode.get() === undefined) return;
    this.transaction(s.begin, 'remove nodes no job refers to from', () => s.pruneRemovedNodes.run());
  }

  /** Closes the connection (SQLite checkpoints the WAL); calling it twice is harmless. */
  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private transaction<T>(begin: StatementSync, action: string, body: () => T): T {
    try {
      begin.run();
      const result = body();
      this.statements.commit.run();
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.statements.rollback.run();
      throw new PktgenError('ERR_STORE', `cannot ${action} ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Writes one row back as it is, so that a database that opens but cannot be written (a read-only
 * file, folder or mount, a full disk) is a start-up error rather than a scheduler that cannot save.
 */
function probeWrite(db: DatabaseSync, path: string): void {
  try {
    db.exec("BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'next_seq'; COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    const { errcode, message } = error as { errcode?: number; message: string };
    const hint = WRITE_HINTS[(errcode ?? 0) & 0xff] ?? 'check the file, its folder and the disk';
    throw new UserError(`cannot write ${path} (${message}): ${hint}, or choose another --state-dir`, 'ERR_STORE', { cause: error });
  }
}

// What a failed write means, by SQLite primary result code.
const WRITE_HINTS: Record<number, string> = {
  8: 'the file, its folder or its file system is read-only; check their permissions and mount', // SQLITE_READONLY
  10: 'the disk failed a write or is full; check it with df and dmesg', // SQLITE_IOERR
  13: 'the disk is full; free some space', // SQLITE_FULL
  5: 'another pktgen scheduler holds it; stop that one', // SQLITE_BUSY
};

/** Explains a failed open in terms of what the user can do about it. */
function openError(path: string, error: unknown): PktgenError {
  const { errcode, message } = error as { errcode?: number; message: string };
  const next = 'pass --fresh to start over, or choose another --state-dir';
  // SQLite extended codes carry the primary code in the low byte.
  switch ((errcode ?? 0) & 0xff) {
    case 26: // SQLITE_NOTADB
    case 11: // SQLITE_CORRUPT
      return new UserError(`${path} is not a pktgen state database (${message}); move it away, ${next}`, 'ERR_STORE', { cause: error });
    case 14: // SQLITE_CANTOPEN
    case 8: // SQLITE_READONLY: SQLite opens an unwritable file read-only, and the first write fails
      if (!existsSync(dirname(path))) {
        return new UserError(`cannot open ${path}: folder ${dirname(path)} does not exist; create it or choose another --state-dir`, 'ERR_STORE', { cause: error });
      }
      return new UserError(`cannot open ${path} (${message}); check its permissions or choose another --state-dir`, 'ERR_STORE', { cause: error });
    case 5: // SQLITE_BUSY
      return new UserError(`${path} is locked (${message}); is another pktgen scheduler using it? Stop it or choose another --state-dir`, 'ERR_STORE', { cause: error });
    case 10: // SQLITE_IOERR: opening writes the WAL index, so a full disk fails here too
    case 13: // SQLITE_FULL
      return new UserError(`cannot open ${path} (${message}): ${WRITE_HINTS[errcode! & 0xff]}, or choose another --state-dir`, 'ERR_STORE', { cause: error });
    default:
      return new PktgenError('ERR_STORE', `cannot open ${path}: ${message}`, { cause: error });
  }
}
