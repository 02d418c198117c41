import type { DatabaseSync } from 'node:sqlite';
import { UserError } from '../errors.js';
import { JOB_STATES, NODE_HEALTHS } from '../protocol/view.js';
import { SEARCH_STATES } from '../scheduler/search.js';

/** 'pktg' in PRAGMA application_id: tells a pktgen database from any other SQLite file. */
export const APPLICATION_ID = 0x706b7467;

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

// migrations[i] takes a database from user_version i to i + 1; append, never edit a shipped entry.
const migrations: readonly string[] = [
  `CREATE TABLE nodes (
     name TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     host TEXT NOT NULL,
     port INTEGER NOT NULL,
     reflector TEXT,
     health TEXT NOT NULL CHECK (health IN (${list(NODE_HEALTHS)})),
     paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
     failures INTEGER NOT NULL,
     retry_at INTEGER NOT NULL
   );
   CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     node TEXT NOT NULL REFERENCES nodes (name),
     seq INTEGER NOT NULL,
     priority INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN (${list(JOB_STATES)})),
     data TEXT NOT NULL,
     target TEXT NOT NULL,
     grace_s REAL NOT NULL,
     retries INTEGER NOT NULL,
     attempts INTEGER NOT NULL,
     sends INTEGER NOT NULL,
     reason TEXT NOT NULL,
     stats TEXT,
     created_at INTEGER NOT NULL,
     sent_at INTEGER,
     started_at INTEGER,
     finished_at INTEGER,
     deadline INTEGER
   );
   CREATE INDEX jobs_by_node_state ON jobs (node, state);
   CREATE TABLE files (
     hash TEXT PRIMARY KEY,
     path TEXT NOT NULL,
     loaded_at INTEGER NOT NULL,
     job_count INTEGER NOT NULL
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL);
   INSERT INTO meta (key, value) VALUES ('next_seq', 0);`,
  // v2: no query reads jobs by (node, state), yet every transition rewrote that index: it cost
  // about 40% of each save (bench/scheduler.ts).
  `DROP INDEX IF EXISTS jobs_by_node_state;`,
  // v3: a node the scheduler drives over the legacy wire (old daemons), not an authenticated session.
  `ALTER TABLE nodes ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1));`,
  // v4: since when a node is down; a removed node (its row stays, marked, while jobs of it are kept:
  // jobs.node references it); the runs of a jobs file (its latest run, and the ids that run queued).
  `ALTER TABLE nodes ADD COLUMN down_since INTEGER;
   ALTER TABLE nodes ADD COLUMN removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1));
   ALTER TABLE files ADD COLUMN run INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE files ADD COLUMN job_ids TEXT;`,
  // v5: the run a job is on (each run goes to the node under an id of its own), and the result that
  // came after the job was declared lost (JSON). A job queued to run again gets the next run number:
  // before v5 its re-run went out under the job's own id, which a node that runs an id once would skip.
  `ALTER TABLE jobs ADD COLUMN run INTEGER NOT NULL DEFAULT 1 CHECK (run >= 1);
   ALTER TABLE jobs ADD COLUMN late TEXT;
   UPDATE jobs SET run = attempts + 1 WHERE state = 'pending' AND attempts > 0;`,
  // v6: what a job's result must meet (JSON, as written: {"max_loss": "0.1%", ...}); NULL = nothing.
  `ALTER TABLE jobs ADD COLUMN expect TEXT;`,
  // v7: throughput searches (RFC 2544 26.1): what was asked (JSON, as written) and the trials run so
  // far (JSON), from which the search's whole state is replayed on a restart.
  `CREATE TABLE searches (
     id TEXT PRIMARY KEY,
     spec TEXT NOT NULL,
     trials TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN (${list(SEARCH_STATES)})),
     created_at INTEGER NOT NULL,
     finished_at INTEGER
   );`,
];

/**
 * Page size of a new database. Every transition of a job rewrites the one page its row is on, and
 * each commit appends those pages to the WAL, which a checkpoint must then sync: 1 KiB pages write a
 * quarter of the bytes of SQLite's default 4 KiB, and shorten checkpoint stalls to match (a job row
 * is ~0.2 KiB, ~0.7 KiB with full statistics: a row still fits a page). bench/scheduler.ts.
 */
export const NEW_DATABASE_PAGE_BYTES = 1024;

/** The schema version this build writes. */
export const SCHEMA_VERSION = migrations.length;

/**
 * Checks that `db` is empty or a pktgen database of a version this build knows, switches it to
 * WAL and brings its schema up to SCHEMA_VERSION. Throws UserError ERR_STORE otherwise.
 */
export function prepareSchema(db: DatabaseSync, path: string): void {
  // Identify before any write: WAL mode would otherwise be forced onto someone else's database.
  const version = pragma(db, 'user_version');
  if (pragma(db, 'application_id') !== APPLICATION_ID && (version !== 0 || hasTables(db))) {
    throw new UserError(`${path} is not a pktgen state database; move it away, pass --fresh to replace it, or choose another --state-dir`, 'ERR_STORE');
  }
  if (version > SCHEMA_VERSION) {
    throw new UserError(`${path} was written by a newer pktgen (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade pktgen, pass --fresh to start over, or choose another --state-dir`, 'ERR_STORE');
  }
  // Only a new database takes a page size (SQLite ignores it once the file has pages).
  db.exec(`PRAGMA page_size = ${NEW_DATABASE_PAGE_BYTES}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL`);
  if (version === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    // Another scheduler may have migrated between our read and our lock: read again under the lock.
    for (let from = pragma(db, 'user_version'); from < SCHEMA_VERSION; from++) db.exec(migrations[from]!);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}; PRAGMA application_id = ${APPLICATION_ID}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function pragma(db: DatabaseSync, name: 'user_version' | 'application_id'): number {
  return db.prepare(`PRAGMA ${name}`).get()![name] as number;
}

function hasTables(db: DatabaseSync): boolean {
  return db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get() !== undefined;
}
