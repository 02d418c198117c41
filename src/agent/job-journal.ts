import { appendFileSync, closeSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, UserError } from '../errors.js';
import { privateFolder, UnsafeFolderError } from '../emitter/private-folder.js';
import { currentUid, privateProblem } from '../private-path.js';
import type { Logger } from '../log.js';
import { decodeStatus, encodeStatus } from '../protocol/messages.js';
import type { Address } from '../transport/address.js';
import type { Remembered } from './job-memory.js';

/** What a job that was running when its node went down gets, as its final status, after the restart. */
export const INTERRUPTED = 'the node stopped while the job ran (serve was restarted)';

/** The state file of the node listening on `listen`: one per job port, so nodes on one host never share one. */
export function journalName(listen: Address): string {
  return `node-${listen.host}-${listen.port}.jobs`;
}

/**
 * The ids a node remembers (JobMemory), kept in a private state file so a restarted node still
 * runs each job once: one JSON line per change, appended before the job can run; read back at start
 * (the last line of an id wins) and written again whole, then again whenever it has grown to
 * several times the entries it holds. Appends are not fsynced: they survive the process being
 * killed, not the machine crashing. A write that fails is logged once and the node goes on,
 * remembering in memory only.
 */
export class JobJournal {
  private lines = 0;
  private failed = false;

  private constructor(readonly path: string, private readonly log: Logger) {}

  /**
   * Opens the state file in `stateDir` (made 0700 with its parents), refusing a folder or file
   * another user could change (UserError, exit 2, with the command that fixes it).
   */
  static async open(stateDir: string, listen: Address, log: Logger): Promise<JobJournal> {
    const uid = currentUid();
    let folder: string;
    try {
      folder = await privateFolder(stateDir, uid);
    } catch (error) {
      const why = error instanceof UnsafeFolderError ? `${error.found.problem}, so another user could change which jobs this node ran: run \`${error.found.fix}\`` : describeError(error);
      throw new UserError(`--state-dir ${stateDir}: ${why}, or choose another --state-dir`, 'ERR_STATE_UNSAFE', { cause: error });
    }
    const path = join(folder, journalName(listen));
    let info;
    try {
      info = lstatSync(path);
    } catch {
      return new JobJournal(path, log); // none yet
    }
    const found = privateProblem(path, info, uid, 'file');
    if (found) throw new UserError(`${found.problem}, so another user could change which jobs this node ran: run \`${found.fix}\`, or choose another --state-dir`, 'ERR_STATE_UNSAFE');
    return new JobJournal(path, log);
  }

  /**
   * The entries of the file, oldest first. A job that was queued when the node went down never ran
   * and is left out (it may be sent again and run); one that had started gets FAIL {@link INTERRUPTED}.
   */
  load(node: string): Array<[string, Remembered]> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new UserError(`cannot read ${this.path} (${describeError(error)}); choose another --state-dir`, 'ERR_STATE');
    }
    const entries = new Map<string, Remembered>();
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const parsed = parseLine(line);
      if (!parsed) {
        skipped++;
        continue;
      }
      entries.delete(parsed.id);
      entries.set(parsed.id, parsed.entry);
    }
    if (skipped > 0) this.log.warn(`${this.path}: skipped ${skipped} line(s) that are not job records`);
    const kept: Array<[string, Remembered]> = [];
    for (const [id, entry] of entries) {
      if (entry.final) kept.push([id, entry]);
      else if (entry.last) kept.push([id, { final: true, last: encodeStatus({ type: 'FAIL', job_id: id, node, reason: INTERRUPTED }) }]);
    }
    return kept;
  }

  /** Writes the file anew with just `entries` (a temporary file renamed over it: never half written). */
  rewrite(entries: Array<[string, Remembered]>): void {
    const temporary = `${this.path}.tmp`;
    this.attempt(() => {
      const fd = openSync(temporary, 'w', 0o600);
      try {
        writeSync(fd, entries.map(([id, entry]) => formatLine(id, entry)).join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
      this.lines = entries.length;
    });
  }

  /** Appends one change; true when the file has grown past `limit` lines and should be rewritten. */
  append(id: string, entry: Remembered, limit: number): boolean {
    this.attempt(() => {
      appendFileSync(this.path, formatLine(id, entry), { mode: 0o600 });
      this.lines++;
    });
    return !this.failed && this.lines > limit;
  }

  private attempt(write: () => void): void {
    if (this.failed) return;
    try {
      write();
    } catch (error) {
      this.failed = true;
      this.log.error(`cannot write ${this.path} (${describeError(error)}): job ids are remembered in memory only until serve restarts`);
    }
  }
}

function formatLine(id: string, entry: Remembered): string {
  const record: Record<string, unknown> = { id, final: entry.final };
  if (entry.last) record.last = Buffer.from(entry.last).toString('base64');
  return `${JSON.stringify(record)}\n`;
}

function parseLine(line: string): { id: string; entry: Remembered } | undefined {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    // Keys beyond these (a `run` written by an earlier build) are ignored.
    const { id, final, last } = record;
    if (typeof id !== 'string' || id === '' || typeof final !== 'boolean') return undefined;
    // A final entry without its status could not answer a repeat: not a record this file holds.
    if (last === undefined ? final : typeof last !== 'string') return undefined;
    const status = typeof last === 'string' ? Buffer.from(last, 'base64') : undefined;
    if (status && decodeStatus(status).job_id !== id) return undefined;
    return { id, entry: { final, last: status } };
  } catch {
    return undefined;
  }
}
