import type { JobInfo, NodeInfo, Snapshot } from '../protocol/view.js';
import { FINAL_STATES } from '../protocol/view.js';
import { formatAddress } from '../transport/address.js';
import { fitColumns, idealWidth, type ColumnSpec, type FittedColumn } from './columns.js';
import { briefStats, formatMbps, progressBar, progressLabel } from './format.js';

/** A node with the jobs its row needs: the running one and the newest finished one. */
export interface NodeLine {
  node: NodeInfo;
  running?: JobInfo;
  last?: JobInfo;
}

/** Pairs each node with its running job and newest finished job in the snapshot. */
export function nodeLines(snapshot: Snapshot): NodeLine[] {
  const byId = new Map(snapshot.jobs.map((job) => [job.id, job]));
  const last = new Map<string, JobInfo>();
  for (const job of snapshot.jobs) {
    if (!FINAL_STATES.includes(job.state)) continue;
    const seen = last.get(job.node);
    if (!seen || job.finished_at > seen.finished_at || (job.finished_at === seen.finished_at && job.seq > seen.seq)) last.set(job.node, job);
  }
  return snapshot.nodes.map((node) => ({ node, running: byId.get(node.running_job), last: last.get(node.name) }));
}

/** Share of w + t spent warming up, 0..1. */
export const warmupShare = (job: JobInfo | undefined): number => (job && job.data.w + job.data.t > 0 ? job.data.w / (job.data.w + job.data.t) : 0);

/** A progress cell of `width`: bar, space, 4-cell label. */
export function progressCell(progress: number, share: number, width: number): string {
  return `${progressBar(progress, Math.max(1, width - 5))} ${progressLabel(progress, share)}`;
}

const activity = (node: NodeInfo): string => (node.paused ? 'paused' : node.running_job ? 'busy' : 'idle');

function lastResult(job: JobInfo | undefined): string[] {
  if (!job) return [''];
  if (job.state === 'succeeded') return briefStats(job.stats);
  return job.reason ? [`${job.state}: ${job.reason}`, job.state] : [job.state];
}

/** The node table's columns fitted to `width` (the selection marker excluded). */
export function nodeColumns(lines: readonly NodeLine[], width: number): Array<FittedColumn<NodeLine>> {
  const address = (l: NodeLine): string[] => [formatAddress(l.node)];
  const specs: Array<ColumnSpec<NodeLine>> = [
    { key: 'name', header: 'NODE', min: 0, ideal: 0, drop: 0, grow: 1, cell: (l) => [l.node.name] },
    { key: 'address', header: 'ADDRESS', min: 0, ideal: 0, drop: 6, grow: 0, cell: address },
    { key: 'health', header: 'LINK', min: 4, ideal: 0, drop: 0, grow: 5, cell: (l) => (l.node.health === 'unknown' ? ['unknown', '?'] : [l.node.health]) },
    { key: 'state', header: 'STATE', min: 0, ideal: 0, drop: 0, grow: 9, cell: (l) => [activity(l.node)] },
    { key: 'pending', header: 'PEND', min: 4, ideal: 4, drop: 3, grow: 9, align: 'right', cell: (l) => [String(l.node.pending)] },
    { key: 'job', header: 'JOB', min: 0, ideal: 13, drop: 9, grow: 9, cell: (l) => [l.node.running_job] },
    { key: 'progress', header: 'PROGRESS', min: 9, ideal: 14, drop: 2, grow: 2, cell: () => [''] },
    { key: 'mbps', header: 'Mbit/s', min: 6, ideal: 6, drop: 7, grow: 9, align: 'right', cell: (l) => [l.node.running_job ? formatMbps(l.node.live_mbps) : ''] },
    { key: 'done', header: 'DONE', min: 4, ideal: 4, drop: 4, grow: 9, align: 'right', cell: (l) => [String(l.node.done)] },
    { key: 'failed', header: 'FAIL', min: 4, ideal: 4, drop: 5, grow: 9, align: 'right', cell: (l) => [String(l.node.failed)] },
    { key: 'last', header: 'LAST', min: 6, ideal: 0, drop: 8, grow: 3, cell: (l) => lastResult(l.last) },
  ];
  for (const spec of specs) {
    const ideal = idealWidth(lines, spec.header, spec.cell, spec.ideal);
    spec.ideal = ideal;
    if (spec.min === 0) spec.min = ['name', 'address'].includes(spec.key) ? Math.min(ideal, spec.key === 'name' ? 8 : 12) : ideal;
  }
  return fitColumns(specs, width);
}
