/**
 * The id a job's run carries to its node, and back in the node's statuses: the job id for run 1,
 * `<id>.<run>` for a re-run (retries). A node runs an id once, so a re-run needs an id of its own;
 * and a status then says which run it is about, so a late result of an earlier run cannot pass for
 * the current run's. Job ids are "j" and hex digits: they hold no dot.
 */
export function wireJobId(jobId: string, run: number): string {
  return run <= 1 ? jobId : `${jobId}.${run}`;
}

/** The job id and run a wire id names; an id without a run suffix is run 1. */
export function parseWireJobId(wireId: string): { jobId: string; run: number } {
  const match = /^(.+)\.(\d{1,9})$/.exec(wireId);
  const run = match ? Number(match[2]) : 1;
  return match && run >= 2 ? { jobId: match[1]!, run } : { jobId: wireId, run: 1 };
}
