import { expectText, FINAL_STATES, type JobInfo, type Snapshot } from '../protocol/view.js';
import { fitColumns, idealWidth, type ColumnSpec, type FittedColumn } from './columns.js';
import { clock, formatLoss, formatMbps, formatRtt } from './format.js';

const SHORT_STATE: Record<string, string> = { succeeded: 'ok', failed: 'fail', lost: 'lost', cancelled: 'canc' };

/** Finished jobs, oldest first by finish time (ties by queue order). */
export function finishedJobs(snapshot: Snapshot): JobInfo[] {
  return snapshot.jobs
    .filter((job) => FINAL_STATES.includes(job.state))
    .sort((a, b) => a.finished_at - b.finished_at || a.seq - b.seq);
}

/** The results list's columns fitted to `width`. */
export function resultColumns(jobs: readonly JobInfo[], width: number): Array<FittedColumn<JobInfo>> {
  const specs: Array<ColumnSpec<JobInfo>> = [
    { key: 'time', header: 'TIME', min: 8, ideal: 8, drop: 5, grow: 9, cell: (j) => [j.finished_at ? clock(j.finished_at) : ''] },
    { key: 'job', header: 'JOB', min: 0, ideal: 13, drop: 4, grow: 9, cell: (j) => [j.id] },
    { key: 'node', header: 'NODE', min: 0, ideal: 0, drop: 0, grow: 1, cell: (j) => [j.node] },
    { key: 'state', header: 'STATE', min: 5, ideal: 0, drop: 0, grow: 2, cell: (j) => [j.state, SHORT_STATE[j.state] ?? j.state] },
    { key: 'mbps', header: 'Mbit/s', min: 6, ideal: 6, drop: 0, grow: 9, align: 'right', cell: (j) => [j.stats ? formatMbps(j.stats.tx_mbps) : '-'] },
    { key: 'loss', header: 'LOSS', min: 0, ideal: 0, drop: 3, grow: 9, align: 'right', cell: (j) => [j.stats?.rx_measured ? formatLoss(j.stats.loss_ratio) : '-'] },
    { key: 'p99', header: 'p99', min: 0, ideal: 0, drop: 2, grow: 9, align: 'right', cell: (j) => [j.stats?.rtt_us?.samples ? formatRtt(j.stats.rtt_us.p99) : '-'] },
    { key: 'reason', header: 'REASON', min: 6, ideal: 0, drop: 6, grow: 3, cell: (j) => [j.reason] },
  ];
  // Only when a job shown has expectations; on a narrow terminal it goes first.
  if (jobs.some((job) => expectText(job.expect))) {
    specs.splice(-1, 0, { key: 'expect', header: 'EXPECT', min: 0, ideal: 0, drop: 7, grow: 9, cell: (j) => [expectText(j.expect) || '-'] });
  }
  for (const spec of specs) {
    spec.ideal = idealWidth(jobs, spec.header, spec.cell, spec.ideal);
    if (spec.min === 0) spec.min = spec.key === 'node' ? Math.min(spec.ideal, 8) : spec.ideal;
  }
  return fitColumns(specs, width);
}
