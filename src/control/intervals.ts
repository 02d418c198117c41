import { flattenJson } from './json-shape.js';
import { intervalView, isFinal, liveRxMeasured, type IntervalView, type JobInfo } from '../protocol/view.js';
import { csvCell } from './format.js';

/** What `submit --wait --json` prints for each measured interval of a job, one JSON line each. */
export type IntervalLine = { event: 'interval'; job: string; node: string } & IntervalView;

/**
 * Hands out each measured interval of the jobs waited for exactly once, in index order per job run:
 * while a job runs, from the newest intervals the scheduler holds (only the next index due, so a
 * gap is never skipped over); once it is final, every one not handed out yet, from its result.
 */
export class IntervalStream {
  /** Per job run (id and attempt): the next index due. */
  private readonly next = new Map<string, number>();

  /** The lines due for these jobs as the scheduler reports them now. */
  take(jobs: readonly JobInfo[]): IntervalLine[] {
    const lines: IntervalLine[] = [];
    for (const job of jobs) {
      const key = `${job.id}#${job.attempts}`;
      let next = this.next.get(key) ?? 0;
      const final = isFinal(job);
      const intervals = final ? job.stats?.intervals ?? [] : job.intervals ?? [];
      const rxMeasured = final ? job.stats?.rx_measured ?? false : liveRxMeasured(intervals);
      for (const interval of intervals) {
        if (interval.index < next) continue;
        if (interval.index > next && !final) break; // a gap: its intervals come with the result
        lines.push({ event: 'interval', job: job.id, node: job.node, ...intervalView(interval, rxMeasured) });
        next = interval.index + 1;
      }
      this.next.set(key, next);
    }
    return lines;
  }
}

/** The columns of `status --csv --intervals`: the job and node, then each interval's JSON paths (rtt_us.p50 ...). */
const CSV_INTERVAL = ['job', 'node', 'index', 'start', 'duration_s', 'tx_packets', 'tx_bytes', 'tx_mbps', 'tx_mpps', 'rx_packets', 'rx_bytes', 'loss_ratio', 'rtt_us.p50', 'rtt_us.p99', 'rtt_us.samples'];

/** Finished jobs' measured intervals as CSV, one row per interval, a header first; unmeasured figures empty. */
export function intervalsCsv(jobs: readonly JobInfo[]): string {
  const rows = [CSV_INTERVAL.join(',')];
  for (const job of jobs) {
    for (const interval of job.stats?.intervals ?? []) {
      const cells: Record<string, unknown> = { job: job.id, node: job.node, ...flattenJson(intervalView(interval, job.stats?.rx_measured ?? false)) };
      rows.push(CSV_INTERVAL.map((key) => csvCell(cells[key] === null || cells[key] === undefined ? '' : String(cells[key]))).join(','));
    }
  }
  return rows.join('\n');
}
