import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { JobRecord, NodeRecord } from '../scheduler/types.js';
import { JOB_STATES, NODE_HEALTHS, type LateResult } from '../protocol/view.js';
import type { JobData, Stats } from '../protocol/messages.js';
import { expectationsJson, parseExpectations, validateStoredJobData } from '../input/job.js';
import { isObject, showValue } from '../input/json.js';
import type { LoadedFile } from './store.js';

// Field -> column maps: `satisfies Record<keyof X, ...>` fails to compile when a record gains a field
// (even an optional one) that is not stored, and the Row types below then demand every column.
const nodeFields = {
  name: 'name', seq: 'seq', host: 'host', port: 'port', reflector: 'reflector', legacy: 'legacy', health: 'health',
  paused: 'paused', failures: 'failures', retryAt: 'retry_at', downSince: 'down_since',
} as const satisfies Record<keyof NodeRecord, string>;
const jobFields = {
  id: 'id', node: 'node', seq: 'seq', priority: 'priority', state: 'state', data: 'data', target: 'target',
  timeoutS: 'grace_s', retries: 'retries', expect: 'expect', attempts: 'attempts', sends: 'sends', run: 'run', reason: 'reason', stats: 'stats',
  createdAt: 'created_at', sentAt: 'sent_at', startedAt: 'started_at', finishedAt: 'finished_at', deadline: 'deadline', late: 'late',
} as const satisfies Record<keyof JobRecord, string>;
const fileFields = {
  hash: 'hash', path: 'path', loadedAt: 'loaded_at', jobCount: 'job_count', run: 'run', jobIds: 'job_ids',
} as const satisfies Record<keyof LoadedFile, string>;
const nodeColumns = Object.values(nodeFields);
const jobColumns = Object.values(jobFields);
const fileColumns = Object.values(fileFields);

type Row<Fields extends Record<string, string>> = Record<Fields[keyof Fields], SQLInputValue>;

// Parameters bind by position: node:sqlite looks each named parameter up under every prefix,
// which made a single-job upsert about twice as slow. The Row objects keep the names checked.
const inColumnOrder = <Fields extends Record<string, string>>(columns: Array<Fields[keyof Fields]>, row: Row<Fields>) =>
  columns.map((column) => row[column]);

/** The SQL each store statement runs; prepared once per connection. */
export const sql = {
  // A node written again is no longer removed (its name was taken again).
  upsertNode: upsert('nodes', nodeColumns, 'name', { removed: 0 }),
  upsertJob: upsert('jobs', jobColumns, 'id'),
  updateJob: update('jobs', jobColumns, 'id'),
  upsertFile: upsert('files', fileColumns, 'hash'),
  removeJob: 'DELETE FROM jobs WHERE id = ?',
  // A removed node's row goes once no job refers to it; until then it stays, marked removed.
  deleteNode: 'DELETE FROM nodes WHERE name = ?1 AND NOT EXISTS (SELECT 1 FROM jobs WHERE node = ?1)',
  markNodeRemoved: 'UPDATE nodes SET removed = 1 WHERE name = ?',
  anyRemovedNode: 'SELECT 1 FROM nodes WHERE removed = 1 LIMIT 1',
  pruneRemovedNodes: 'DELETE FROM nodes WHERE removed = 1 AND name NOT IN (SELECT node FROM jobs)',
  // seq ties fall back to rowid, i.e. first-insertion order, which the memory store matches.
  selectNodes: `SELECT ${nodeColumns.join(', ')} FROM nodes WHERE removed = 0 ORDER BY seq, rowid`,
  selectJobs: `SELECT ${jobColumns.join(', ')} FROM jobs ORDER BY seq, rowid`,
  findFile: `SELECT ${fileColumns.join(', ')} FROM files WHERE hash = ?`,
  selectNextSeq: "SELECT value FROM meta WHERE key = 'next_seq'",
  // max() keeps the counter monotonic even if another connection advanced it meanwhile.
  raiseNextSeq: "UPDATE meta SET value = max(value, ?) WHERE key = 'next_seq'",
} as const;

/** UPDATE of every column but the key, numbered so that it takes the same parameters as upsert(). */
function update(table: string, columns: readonly string[], key: string): string {
  const set = columns.flatMap((column, i) => (column === key ? [] : [`${column} = ?${i + 1}`]));
  return `UPDATE ${table} SET ${set.join(', ')} WHERE ${key} = ?${columns.indexOf(key) + 1}`;
}

/** INSERT, or UPDATE of every column but the key; `fixed` columns take the same constant either way. */
function upsert(table: string, columns: readonly string[], key: string, fixed: Record<string, number> = {}): string {
  const rest = [...columns.filter((column) => column !== key), ...Object.keys(fixed)];
  const values = [...columns.map(() => '?'), ...Object.values(fixed).map(String)];
  return `INSERT INTO ${table} (${[...columns, ...Object.keys(fixed)].join(', ')}) VALUES (${values.join(', ')})
    ON CONFLICT (${key}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/** A node as statement parameters. */
export function nodeParams(node: NodeRecord): SQLInputValue[] {
  return inColumnOrder<typeof nodeFields>(nodeColumns, {
    name: node.name, seq: node.seq, host: node.host, port: node.port, reflector: node.reflector ?? null, legacy: node.legacy ? 1 : 0,
    health: node.health, paused: node.paused ? 1 : 0, failures: node.failures, retry_at: node.retryAt, down_since: node.downSince ?? null,
  });
}

/** A job as statement parameters; data, stats and a late result become JSON text. */
export function jobParams(job: JobRecord): SQLInputValue[] {
  return inColumnOrder<typeof jobFields>(jobColumns, {
    id: job.id, node: job.node, seq: job.seq, priority: job.priority, state: job.state,
    data: JSON.stringify(job.data), target: job.target, grace_s: job.timeoutS, retries: job.retries,
    expect: job.expect ? JSON.stringify(expectationsJson(job.expect)) : null,
    attempts: job.attempts, sends: job.sends, run: job.run, reason: job.reason, stats: job.stats ? JSON.stringify(job.stats) : null,
    created_at: job.createdAt, sent_at: job.sentAt ?? null, started_at: job.startedAt ?? null,
    finished_at: job.finishedAt ?? null, deadline: job.deadline ?? null, late: job.late ? JSON.stringify(job.late) : null,
  });
}

/** A loaded file as statement parameters. */
export function fileParams(file: LoadedFile): SQLInputValue[] {
  return inColumnOrder<typeof fileFields>(fileColumns, {
    hash: file.hash, path: file.path, loaded_at: file.loadedAt, job_count: file.jobCount, run: file.run, job_ids: file.jobIds?.join(' ') ?? null,
  });
}

// Selects return arrays (no per-row object with 18 keys to collect): a 100k-job load makes far less
// garbage, which is what drives the restarted scheduler's RSS. Rows arrive typed as objects (the
// typings ignore setReturnArrays), hence `row: object`; columns are found by these indexes.
const columnIndex = <Fields extends Record<string, string>>(fields: Fields) =>
  Object.fromEntries(Object.values(fields).map((column, i) => [column, i])) as Record<Fields[keyof Fields], number>;
const N = columnIndex(nodeFields);
const J = columnIndex(jobFields);
const F = columnIndex(fileFields);

/** A row that does not hold what the schema says: its message names the column and what it held. */
export class MalformedRowError extends Error {}

const malformed = (column: string, value: SQLOutputValue, expected: string): never => {
  // A blob or a bigint shows as String() does: showValue speaks JSON.
  const shown = typeof value === 'string' ? showValue(value) : String(value);
  throw new MalformedRowError(`${column} = ${shown}: expected ${expected}`);
};
const text = (r: SQLOutputValue[], i: number, column: string): string => (typeof r[i] === 'string' ? r[i] : malformed(column, r[i]!, 'text'));
const integer = (r: SQLOutputValue[], i: number, column: string): number => (Number.isSafeInteger(r[i]) ? (r[i] as number) : malformed(column, r[i]!, 'an integer'));
const real = (r: SQLOutputValue[], i: number, column: string): number => (typeof r[i] === 'number' && Number.isFinite(r[i]) ? r[i] : malformed(column, r[i]!, 'a number'));
const optional = (r: SQLOutputValue[], i: number, column: string): number | undefined => (r[i] === null ? undefined : real(r, i, column));
const flag = (r: SQLOutputValue[], i: number, column: string): boolean => (r[i] === 0 || r[i] === 1 ? r[i] === 1 : malformed(column, r[i]!, '0 or 1'));
const oneOf = <T extends string>(values: readonly T[], r: SQLOutputValue[], i: number, column: string): T =>
  (values.includes(r[i] as T) ? (r[i] as T) : malformed(column, r[i]!, `one of ${values.join(', ')}`));
/** A JSON column: parsed, then checked by `check` (which throws with its own words). */
function json<T>(r: SQLOutputValue[], i: number, column: string, check: (value: unknown) => T): T {
  let value: unknown;
  try {
    value = JSON.parse(text(r, i, column));
  } catch (error) {
    if (error instanceof MalformedRowError) throw error;
    return malformed(column, r[i]!, `JSON (${(error as Error).message})`);
  }
  try {
    return check(value);
  } catch (error) {
    throw new MalformedRowError(`${column}: ${(error as Error).message}`);
  }
}
const statsObject = (value: unknown): Stats => {
  if (!isObject(value)) throw new Error(`${showValue(value)}: expected an object of statistics`);
  return value as Stats;
};

const lateObject = (value: unknown): LateResult => {
  if (!isObject(value) || (value.type !== 'SUCCESS' && value.type !== 'FAIL') || typeof value.at !== 'number') {
    throw new Error(`${showValue(value)}: expected a late result {type: SUCCESS or FAIL, reason, stats, at}`);
  }
  return value as unknown as LateResult;
};

/** The key of a row that could not be read, for the report: its name or id as stored, if it is text. */
export function rowKey(table: 'nodes' | 'jobs', row: object): string {
  const key = (row as SQLOutputValue[])[table === 'nodes' ? N.name : J.id];
  return typeof key === 'string' ? key : String(key);
}

/**
 * A nodes row (array) back as a record; NULL columns become absent fields, not nulls. Throws
 * MalformedRowError when a column does not hold what the schema says.
 */
export function nodeFromRow(row: object): NodeRecord {
  const r = row as SQLOutputValue[];
  const node: NodeRecord = {
    name: text(r, N.name, 'name'), host: text(r, N.host, 'host'), port: integer(r, N.port, 'port'),
    health: oneOf(NODE_HEALTHS, r, N.health, 'health'), legacy: flag(r, N.legacy, 'legacy'), paused: flag(r, N.paused, 'paused'),
    failures: integer(r, N.failures, 'failures'), retryAt: real(r, N.retry_at, 'retry_at'), seq: integer(r, N.seq, 'seq'),
  };
  if (r[N.reflector] !== null) node.reflector = text(r, N.reflector, 'reflector');
  const downSince = optional(r, N.down_since, 'down_since');
  if (downSince !== undefined) node.downSince = downSince;
  return node;
}

/**
 * A jobs row (array) back as a record; NULL columns become absent fields, not nulls. Its data is
 * checked by the one job schema. Throws MalformedRowError when a column does not hold what it should.
 * `dataCache` maps data text to its checked object across the rows of one load: jobs of one file
 * mostly share their data, and then share one object (the core never changes a job's data), which
 * saves the parse and check, and the memory, of each copy.
 */
export function jobFromRow(row: object, dataCache?: Map<SQLOutputValue, JobData>): JobRecord {
  const r = row as SQLOutputValue[];
  let data = dataCache?.get(r[J.data]!);
  if (!data) {
    data = json(r, J.data, 'data', (value) => validateStoredJobData(value));
    dataCache?.set(r[J.data]!, data);
  }
  const job: JobRecord = {
    id: text(r, J.id, 'id'), node: text(r, J.node, 'node'), priority: integer(r, J.priority, 'priority'), seq: integer(r, J.seq, 'seq'),
    data, target: text(r, J.target, 'target'),
    timeoutS: real(r, J.grace_s, 'grace_s'), retries: integer(r, J.retries, 'retries'), attempts: integer(r, J.attempts, 'attempts'),
    sends: integer(r, J.sends, 'sends'), run: integer(r, J.run, 'run'), state: oneOf(JOB_STATES, r, J.state, 'state'), reason: text(r, J.reason, 'reason'),
    createdAt: real(r, J.created_at, 'created_at'),
  };
  if (r[J.stats] !== null) job.stats = json(r, J.stats, 'stats', statsObject);
  const sentAt = optional(r, J.sent_at, 'sent_at');
  const startedAt = optional(r, J.started_at, 'started_at');
  const finishedAt = optional(r, J.finished_at, 'finished_at');
  const deadline = optional(r, J.deadline, 'deadline');
  if (sentAt !== undefined) job.sentAt = sentAt;
  if (startedAt !== undefined) job.startedAt = startedAt;
  if (finishedAt !== undefined) job.finishedAt = finishedAt;
  if (deadline !== undefined) job.deadline = deadline;
  if (r[J.late] !== null) job.late = json(r, J.late, 'late', lateObject);
  // Checked by the one job schema, against the job's data, as when it was submitted.
  if (r[J.expect] !== null) job.expect = json(r, J.expect, 'expect', (value) => parseExpectations(value, '', data));
  return job;
}

/** A files row (array) back as a record. */
export function fileFromRow(row: object): LoadedFile {
  const r = row as SQLOutputValue[];
  const file: LoadedFile = { hash: r[F.hash] as string, path: r[F.path] as string, loadedAt: r[F.loaded_at] as number, jobCount: r[F.job_count] as number, run: r[F.run] as number };
  const ids = r[F.job_ids] as string | null;
  if (ids !== null) file.jobIds = ids === '' ? [] : ids.split(' ');
  return file;
}
