import type { JobInfo, NodeInfo } from '../protocol/view.js';
import type { Stats } from '../protocol/messages.js';
import { escapeControl } from '../text.js';

const time = (ms: number): string => (ms > 0 ? new Date(ms).toISOString() : '');

/** Every field of one job, one `key: value` line each, stats flattened (rtt_us.p99 ...). */
export function jobDetail(job: JobInfo): string {
  const lines: Array<[string, string]> = [
    ['id', job.id], ['node', job.node], ['state', job.state], ['priority', String(job.priority)],
    ['data', JSON.stringify(job.data)], ['target', job.target || '(node default)'], ['attempts', String(job.attempts)],
    ['created', time(job.created_at)], ['started', time(job.started_at)], ['finished', time(job.finished_at)],
  ];
  if (job.reason) lines.push(['reason', job.reason]);
  for (const [key, value] of Object.entries(flattenStats(job.stats))) lines.push([`stats.${key}`, value]);
  if (job.late) {
    // Beside the job, not instead of it: the job stays lost, and counts so.
    lines.push(['late', `${job.late.type} at ${time(job.late.at)}, after the job was declared lost`]);
    if (job.late.reason) lines.push(['late.reason', job.late.reason]);
    for (const [key, value] of Object.entries(flattenStats(job.late.stats))) lines.push([`late.stats.${key}`, value]);
  }
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${escapeControl(v)}`).join('\n');
}

/** Stats as flat string fields; rx figures that were not measured stay empty. */
export function flattenStats(stats: Stats | undefined): Record<string, string> {
  if (!stats) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (key === 'rtt_us') continue;
    if (!stats.rx_measured && (key.startsWith('rx_') && key !== 'rx_measured' || key === 'loss_ratio')) out[key] = '';
    else out[key] = String(value);
  }
  for (const [key, value] of Object.entries(stats.rtt_us ?? {})) out[`rtt_us.${key}`] = String(value);
  return out;
}

const CSV_JOB = ['id', 'node', 'state', 'priority', 'm', 't', 'w', 'n', 's_min', 's_max', 'r', 'l', 'target', 'attempts', 'started_at', 'finished_at', 'reason'];
const CSV_STATS = [
  'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes', 'rx_measured', 'loss_ratio', 'tx_mbps', 'tx_mbps_mean', 'tx_mbps_std',
  'tx_mpps_mean', 'tx_mpps_std', 'tx_wire_mbps_mean', 'rx_mbps_mean', 'rx_mpps_mean', 'requested_mbps', 'duration_s',
  'mode', 'stalls', 'duplicates', 'reordered',
  ...['min', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'std', 'samples'].map((k) => `rtt_us.${k}`),
];

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

/** Finished jobs' results as CSV, one row per job, a header first. */
export function jobsCsv(jobs: JobInfo[]): string {
  const rows = [[...CSV_JOB, ...CSV_STATS].join(',')];
  for (const job of jobs) {
    const base: Record<string, string> = {
      id: job.id, node: job.node, state: job.state, priority: String(job.priority), target: job.target,
      attempts: String(job.attempts), started_at: time(job.started_at), finished_at: time(job.finished_at), reason: job.reason,
      ...Object.fromEntries(Object.entries(job.data).map(([k, v]) => [k, String(v)])),
    };
    const stats = flattenStats(job.stats);
    rows.push([...CSV_JOB.map((k) => base[k] ?? ''), ...CSV_STATS.map((k) => stats[k] ?? '')].map(csvCell).join(','));
  }
  return rows.join('\n');
}

/** What `pktgen status --json` prints: nodes (with address and state) and jobs. */
export interface StatusDocument {
  nodes: Array<NodeInfo & { address: string; state: NodeInfo['health'] }>;
  jobs: JobInfo[];
}

/** Nodes and jobs as the `--json` document. */
export function statusDocument(nodes: NodeInfo[], jobs: JobInfo[]): StatusDocument {
  return { nodes: nodes.map((n) => ({ ...n, address: `${n.host}:${n.port}`, state: n.health })), jobs };
}
