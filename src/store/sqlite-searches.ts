import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { parseSearch, searchJson } from '../input/search.js';
import { isObject } from '../input/json.js';
import { SEARCH_STATES, TRIAL_VERDICTS, type SearchRecord, type Trial } from '../scheduler/search.js';
import { MalformedRowError } from './sqlite-rows.js';

/** The searches table's statements (schema v7): one upsert per changed search, one read of all. */
export class SearchRows {
  private readonly upsert: StatementSync;
  private readonly select: StatementSync;

  constructor(db: DatabaseSync) {
    this.upsert = db.prepare(`INSERT INTO searches (id, spec, trials, state, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, trials = excluded.trials, state = excluded.state, created_at = excluded.created_at, finished_at = excluded.finished_at`);
    this.select = db.prepare('SELECT id, spec, trials, state, created_at, finished_at FROM searches ORDER BY created_at, rowid');
    this.select.setReturnArrays(true);
  }

  /** Writes a search (inside the caller's transaction). */
  save(search: SearchRecord): void {
    this.upsert.run(search.id, JSON.stringify(searchJson(search.spec)), JSON.stringify(search.trials), search.state, search.createdAt, search.finishedAt ?? null);
  }

  /** Every search; a malformed row is passed over and told to `skipped` (key: its id). */
  *all(skipped: (key: string, why: string) => void): Generator<SearchRecord> {
    for (const row of this.select.iterate() as Iterable<SQLOutputValue[]>) {
      try {
        yield searchFromRow(row);
      } catch (error) {
        if (!(error instanceof MalformedRowError)) throw error;
        skipped(String(row[0]), error.message);
      }
    }
  }
}

/** A searches row back as a record: the spec checked by the one search schema, each trial by its fields. */
function searchFromRow(row: SQLOutputValue[]): SearchRecord {
  const [id, spec, trials, state, createdAt, finishedAt] = row;
  if (typeof id !== 'string') throw new MalformedRowError(`id = ${String(id)}: expected text`);
  let parsed: { spec: unknown; trials: unknown };
  try {
    parsed = { spec: JSON.parse(String(spec)), trials: JSON.parse(String(trials)) };
  } catch (error) {
    throw new MalformedRowError(`spec or trials: ${(error as Error).message}`);
  }
  let checked;
  try {
    checked = parseSearch(parsed.spec, 'spec');
  } catch (error) {
    throw new MalformedRowError((error as Error).message);
  }
  if (!Array.isArray(parsed.trials) || !parsed.trials.every(isTrial)) throw new MalformedRowError('trials: expected a list of trials');
  if (!SEARCH_STATES.includes(state as SearchRecord['state'])) throw new MalformedRowError(`state = ${String(state)}: expected one of ${SEARCH_STATES.join(', ')}`);
  if (!Number.isSafeInteger(createdAt)) throw new MalformedRowError(`created_at = ${String(createdAt)}: expected an integer`);
  const search: SearchRecord = { id, spec: checked, trials: parsed.trials, state: state as SearchRecord['state'], createdAt: createdAt as number };
  if (Number.isSafeInteger(finishedAt)) search.finishedAt = finishedAt as number;
  return search;
}

function isTrial(value: unknown): value is Trial {
  if (!isObject(value)) return false;
  const number = (key: string, optional = false) => (optional && value[key] === undefined) || (typeof value[key] === 'number' && Number.isFinite(value[key]));
  return number('size') && number('rateBps') && number('lossRatio', true) && number('txBps', true)
    && TRIAL_VERDICTS.includes(value.verdict as Trial['verdict']) && typeof value.jobId === 'string' && typeof value.reason === 'string';
}
