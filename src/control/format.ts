import { jobView, statsView, type JobInfo, type JobView, type NodeInfo, type OneWayView, type StatsView } from '../protocol/view.js';
import type { Stats } from '../protocol/messages.js';
import { escapeControl } from '../text.js';
import { formatJobRate } from '../input/rate.js';

const time = (ms: number): string => (ms > 0 ? new Date(ms).toISOString() : '');

/** Every field of one job, one `key: value` line each, stats flattened (rtt_us.p99 ...); what was not measured says so. */
export function jobDetail(job: JobInfo): string {
  const lines: Array<[string, string]> = [
    ['id', job.id], ['node', job.node], ['state', job.state], ['priority', String(job.priority)],
    ['data', JSON.stringify(job.data)], ['rate', formatJobRate(job.data)], ['target', job.target || '(node default)'], ['attempts', String(job.attempts)],
    ['created', time(job.created_at)], ['started', time(job.started_at)], ['finished', time(job.finished_at)],
  ];
  if (job.expect) lines.push(['expect', JSON.stringify(job.expect)]);
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

/** A job's statistics as `PREFIX.key` lines (PREFIX.rtt_us.p99 ...); what was not measured says so. */
function statsLines(prefix: string, raw: Stats | undefined, data: JobInfo['data']): Array<[string, string]> {
  if (!raw) return [];
  const stats = statsView(raw, data);
  const lines: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(flattenStats(stats))) {
    if ((key === 'rtt_note' || key === 'one_way.note') && value === '') continue;
    lines.push([`${prefix}.${key}`, value === '' && key !== 'fallback' && key !== 'mode' ? 'not measured' : value]);
  }
  if (!stats.rtt_us) lines.push([`${prefix}.rtt_us`, 'not measured']);
  if (!stats.one_way) lines.push([`${prefix}.one_way`, 'not measured']);
  return lines;
}

/** Stats as flat string fields (rtt_us.p99 ...); what was not measured (null) is empty. */
function flattenStats(stats: StatsView | null | undefined): Record<string, string> {
  if (!stats) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (key !== 'rtt_us' && key !== 'one_way') out[key] = value === null ? '' : String(value);
  }
  for (const [key, value] of Object.entries(stats.rtt_us ?? {})) out[`rtt_us.${key}`] = String(value);
  Object.assign(out, flattenOneWay(stats.one_way));
  return out;
}

/** One-way figures as one_way.key fields (one_way.fwd_delay_us.p99 ...); a delay not measured is one empty field. */
function flattenOneWay(oneWay: OneWayView | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(oneWay ?? {})) {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) out[`one_way.${key}.${k}`] = String(v);
    } else out[`one_way.${key}`] = value === null ? '' : String(value);
  }
  return out;
}

const CSV_JOB = ['id', 'node', 'state', 'priority', 'm', 'rate_bps', 'pps', 't', 'w', 'n', 's_min', 's_max', 'r', 'l', 'target', 'attempts', 'started_at', 'finished_at', 'reason'];
const CSV_STATS = [
  'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes', 'rx_measured', 'loss_ratio', 'tx_mbps', 'tx_mbps_mean', 'tx_mbps_std',
  'tx_mpps_mean', 'tx_mpps_std', 'tx_wire_mbps_mean', 'rx_mbps_mean', 'rx_mpps_mean', 'requested_mbps', 'duration_s',
  'mode', 'stalls', 'duplicates', 'reordered',
  ...['min', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'std', 'samples'].map((k) => `rtt_us.${k}`),
  ...['answered', 'fwd_loss', 'ret_loss', 'fwd_sent', 'fwd_received', 'ret_sent', 'ret_received', 'reflector_dropped', 'reflector_overflow',
    'fwd_jitter_us', 'ret_jitter_us', 'fwd_delay_us.p50', 'fwd_delay_us.p99', 'ret_delay_us.p50', 'ret_delay_us.p99', 'note'].map((k) => `one_way.${k}`),
  'rtt_note',
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
    const stats = flattenStats(job.stats && statsView(job.stats, job.data));
    rows.push([...CSV_JOB.map((k) => base[k] ?? ''), ...CSV_STATS.map((k) => stats[k] ?? '')].map(csvCell).join(','));
  }
  return rows.join('\n');
}

/** What `pktgen status --json` prints: nodes (with address and state), jobs (unmeasured figures null) and the store's health. */
export interface StatusDocument {
  nodes: Array<NodeInfo & { address: string; state: NodeInfo['health'] }>;
  jobs: JobView[];
  /** ok: false while the scheduler cannot save its state, with why. */
  store: { ok: true } | { ok: false; problem: string };
}

/** Nodes and jobs as the `--json` document. */
export function statusDocument(nodes: NodeInfo[], jobs: JobInfo[], storeError = ''): StatusDocument {
  return {
    nodes: nodes.map((n) => ({ ...n, address: `${n.host}:${n.port}`, state: n.health })),
    jobs: jobs.map(jobView),
    store: storeError ? { ok: false, problem: storeError } : { ok: true },
  };
}
