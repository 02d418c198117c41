import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { JobData } from '../protocol/messages.js';
import type { JobRecord, NodeRecord } from '../scheduler/types.js';
import type { JobState, NodeHealth } from '../protocol/view.js';
import type { Stats } from '../protocol/messages.js';
import type { LoadedFile } from './store.js';

// Field -> column maps: `satisfies Record<keyof X, ...>` fails to compile when a record gains a field
// (even an optional one) that is not stored, and the Row types below then demand every column.
const nodeFields = {
  name: 'name', seq: 'seq', host: 'host', port: 'port', reflector: 'reflector', legacy: 'legacy', health: 'health',
  paused: 'paused', failures: 'failures', retryAt: 'retry_at', downSince: 'down_since',
} as const satisfies Record<keyof NodeRecord, string>;
const jobFields = {
  id: 'id', node: 'node', seq: 'seq', priority: 'priority', state: 'state', data: 'data', target: 'target',
  timeoutS: 'grace_s', retries: 'retries', attempts: 'attempts', sends: 'sends', reason: 'reason', stats: 'stats',
  createdAt: 'created_at', sentAt: 'sent_at', startedAt: 'started_at', finishedAt: 'finished_at', deadline: 'deadline',
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

/** A job as statement parameters; data and stats become JSON text. */
export function jobParams(job: JobRecord): SQLInputValue[] {
  return inColumnOrder<typeof jobFields>(jobColumns, {
    id: job.id, node: job.node, seq: job.seq, priority: job.priority, state: job.state,
    data: JSON.stringify(job.data), target: job.target, grace_s: job.timeoutS, retries: job.retries,
    attempts: job.attempts, sends: job.sends, reason: job.reason, stats: job.stats ? JSON.stringify(job.stats) : null,
    created_at: job.createdAt, sent_at: job.sentAt ?? null, started_at: job.startedAt ?? null,
    finished_at: job.finishedAt ?? null, deadline: job.deadline ?? null,
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

/** A nodes row (array) back as a record; NULL columns become absent fields, not nulls. */
export function nodeFromRow(row: object): NodeRecord {
  const r = row as SQLOutputValue[];
  const node: NodeRecord = {
    name: r[N.name] as string, host: r[N.host] as string, port: r[N.port] as number, health: r[N.health] as NodeHealth,
    legacy: r[N.legacy] === 1, paused: r[N.paused] === 1, failures: r[N.failures] as number, retryAt: r[N.retry_at] as number, seq: r[N.seq] as number,
  };
  if (r[N.reflector] !== null) node.reflector = r[N.reflector] as string;
  if (r[N.down_since] !== null) node.downSince = r[N.down_since] as number;
  return node;
}

/** A jobs row (array) back as a record; NULL columns become absent fields, not nulls. */
export function jobFromRow(row: object): JobRecord {
  const r = row as SQLOutputValue[];
  const job: JobRecord = {
    id: r[J.id] as string, node: r[J.node] as string, priority: r[J.priority] as number, seq: r[J.seq] as number,
    data: JSON.parse(r[J.data] as string) as JobData, target: r[J.target] as string, timeoutS: r[J.grace_s] as number,
    retries: r[J.retries] as number, attempts: r[J.attempts] as number, sends: r[J.sends] as number,
    state: r[J.state] as JobState, reason: r[J.reason] as string, createdAt: r[J.created_at] as number,
  };
  if (r[J.stats] !== null) job.stats = JSON.parse(r[J.stats] as string) as Stats;
  if (r[J.sent_at] !== null) job.sentAt = r[J.sent_at] as number;
  if (r[J.started_at] !== null) job.startedAt = r[J.started_at] as number;
  if (r[J.finished_at] !== null) job.finishedAt = r[J.finished_at] as number;
  if (r[J.deadline] !== null) job.deadline = r[J.deadline] as number;
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
