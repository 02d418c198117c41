import type { JobInfo, NodeInfo } from '../protocol/view.js';
import type { Stats } from '../protocol/messages.js';
import { escapeControl, isoTime } from '../text.js';
import { formatJobRate } from '../input/rate.js';
import { formatJobSizes, formatSizeCounts } from '../input/sizes.js';
import { flattenJson, JOB_CSV_COLUMNS, jobCsvCells, jobJson, nodeJson, statsJson, type JobJson, type NodeJson } from './json-shape.js';

const time = (ms: number): string => isoTime(ms) ?? '';

/** Every field of one job, one `key: value` line each, named as in JSON (stats.rtt_us.p99 ...); what was not measured says so. */
export function jobDetail(job: JobInfo): string {
  const lines: Array<[string, string]> = [
    ['id', job.id], ['node', job.node], ['state', job.state], ['priority', String(job.priority)],
    ['data', JSON.stringify(job.data)], ['rate', formatJobRate(job.data)], ['sizes', formatJobSizes(job.data)], ['target', job.target || '(node default)'], ['attempts', String(job.attempts)],
    ['created_at', time(job.created_at)], ['sent_at', time(job.sent_at)], ['started_at', time(job.started_at)], ['finished_at', time(job.finished_at)],
  ];
  for (const [key, value] of Object.entries(job.expect ?? {})) lines.push([`expect.${key}`, value]);
  if (job.reason) lines.push(['reason', job.reason]);
  lines.push(...statsLines('stats', job.stats, job.data));
  if (job.late) {
    // Beside the job, not instead of it: the job stays lost, and counts so.
    lines.push(['late', `${job.late.type} at ${time(job.late.at)}, after the job was declared lost`]);
    if (job.late.reason) lines.push(['late.reason', job.late.reason]);
    lines.push(...statsLines('late.stats', job.late.stats, job.data));
  }
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${escapeControl(v)}`).join('\n');
}

/** A job's statistics as `PREFIX.key` lines, named as in JSON (rtt_us.p99 ...); what was not measured says so. */
function statsLines(prefix: string, raw: Stats | undefined, data: JobInfo['data']): Array<[string, string]> {
  if (!raw) return [];
  const stats = statsJson(raw, data);
  const lines: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(flattenJson(stats))) {
    if ((key === 'rtt_note' || key === 'one_way.note') && value === '') continue;
    if (key === 'intervals' && Array.isArray(value)) {
      lines.push([`${prefix}.intervals`, `${value.length} (status --csv --intervals lists them)`]);
      continue;
    }
    if (key === 'tx_sizes' && Array.isArray(value)) {
      lines.push([`${prefix}.tx_sizes`, formatSizeCounts(value)]);
      continue;
    }
    lines.push([`${prefix}.${key}`, value === null ? 'not measured' : typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  }
  return lines;
}

/**
 * One CSV cell: control characters escaped (a row stays one line, and a tab or CR can no longer lead),
 * text a spreadsheet would run as a formula (= + - @ first) prefixed with ' as OWASP advises (numbers
 * stay numbers), and quoted when it holds a comma or a quote.
 */
export function csvCell(value: string): string {
  let text = escapeControl(value);
  if (/^[=+\-@]/.test(text) && !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) text = `'${text}`;
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Finished jobs' results as CSV, one row per job, a header first: the columns are the jobs' JSON paths (json-shape.ts). */
export function jobsCsv(jobs: JobInfo[]): string {
  return [JOB_CSV_COLUMNS.join(','), ...jobs.map((job) => jobCsvCells(job).map(csvCell).join(','))].join('\n');
}

/** What `pktgen status --json` prints: nodes, jobs (unmeasured figures null) and the store's health. */
export interface StatusDocument {
  nodes: NodeJson[];
  jobs: JobJson[];
  /** ok: false while the scheduler cannot save its state, with why. */
  store: { ok: true } | { ok: false; problem: string };
}

/** Nodes and jobs as the `--json` document. */
export function statusDocument(nodes: NodeInfo[], jobs: JobInfo[], storeError = ''): StatusDocument {
  return {
    nodes: nodes.map(nodeJson),
    jobs: jobs.map(jobJson),
    store: storeError ? { ok: false, problem: storeError } : { ok: true },
  };
}
