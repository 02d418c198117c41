import { expectText, type ExpectationsJson, type JobInfo, type JobState, type NodeInfo } from '../protocol/view.js';
import { escapeControl } from '../text.js';
import { formatJobRate } from '../input/rate.js';

/** The fields a result line needs: both the scheduler's record and the view have them (the record's expect as expectationsJson gives it). */
type ResultFields = Pick<JobInfo, 'id' | 'node' | 'state' | 'data' | 'stats' | 'reason'> & { expect?: ExpectationsJson | undefined };

const fixed = (value: number | undefined, digits: number): string => (value === undefined ? '-' : value.toFixed(digits));

/** One result line's columns for a job: what a test engineer looks at first. */
export function resultColumns(job: ResultFields): Record<string, string> {
  const s = job.stats;
  return {
    job: job.id,
    node: job.node,
    state: job.state,
    'req rate': formatJobRate(job.data),
    'tx Mbit/s': fixed(s?.tx_mbps, 2),
    'tx pkts': s ? String(s.tx_packets) : '-',
    'rx pkts': s?.rx_measured ? String(s.rx_packets) : '-',
    loss: s?.rx_measured ? `${(s.loss_ratio * 100).toFixed(3)}%` : '-',
    'p99 us': s?.rtt_us ? fixed(s.rtt_us.p99, 1) : '-',
    expect: expectText(job.expect) || '-',
    reason: job.reason,
  };
}

/** Renders rows of columns as an aligned plain-text table, control characters in cells escaped. */
export function formatTable(rows: Array<Record<string, string>>): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]!);
  // Cells hold peers' text (a FAIL reason, names): escaped before measuring, so columns stay aligned.
  const cells = rows.map((r) => headers.map((h) => escapeControl(r[h] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** Counts jobs by state, e.g. "3 succeeded, 1 failed". */
export function countByState(jobs: Iterable<{ state: JobState }>): string {
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'no jobs';
}

/** One status line's columns for a node. */
export function nodeColumns(node: NodeInfo): Record<string, string> {
  return {
    node: node.name,
    address: `${node.host}:${node.port}`,
    health: node.health,
    activity: node.paused ? 'paused' : node.running_job ? 'busy' : 'idle',
    pending: String(node.pending),
    running: node.running_job ? `${node.running_job} ${Math.round(node.progress * 100)}%` : '-',
    'live Mbit/s': node.running_job && node.live_mbps > 0 ? node.live_mbps.toFixed(2) : '-',
    done: String(node.done),
    failed: String(node.failed),
    cancelled: String(node.cancelled),
  };
}
