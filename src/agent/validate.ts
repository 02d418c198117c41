import type { Job } from '../protocol/messages.js';
import { checkWireJob, JOB_LIMITS, type NodeLimits } from '../input/job.js';
import { BPS_PER_MBPS } from '../input/rate.js';
import { parseAddress, type Address } from '../transport/address.js';
import { PktgenError, UserError } from '../errors.js';
import type { EmitterSpec } from '../emitter/spec.js';

/** A job the node will not run; the message becomes the FAIL reason. */
export class JobRejectedError extends PktgenError {
  constructor(message: string) {
    super('ERR_JOB_REJECTED', message);
  }
}

/**
 * Checks a job's fields and turns it into an emitter spec (target still unresolved).
 * proto3 cannot tell an unset field from 0, so n = 0 means one flow and s_max = 0 means s_min.
 */
export function jobToSpec(job: Job, defaultTarget: Address | undefined, limits: NodeLimits, tag: number): EmitterSpec {
  let checked;
  try {
    checked = checkWireJob(job, limits);
  } catch (error) {
    // The one job schema's message, e.g. "t = 0: expected an integer duration 1..3600 s".
    if (error instanceof UserError) throw new JobRejectedError(error.message);
    throw error;
  }
  let dst = defaultTarget;
  if (job.target !== '') {
    try {
      dst = parseAddress(job.target, undefined, 'target');
    } catch (error) {
      throw new JobRejectedError((error as Error).message);
    }
  }
  if (!dst) throw new JobRejectedError('no target: the job names none and the node has no --target');
  return {
    dst,
    // rate_bps is a whole number of bits/s: the helper takes fractional Mbit/s exactly enough.
    rateMbps: checked.rate_bps ? checked.rate_bps / BPS_PER_MBPS : checked.m,
    ...(checked.pps ? { pps: checked.pps } : {}),
    // Checked against the node's --max-threads above: the node never starts more.
    ...(checked.threads ? { threads: checked.threads } : {}),
    // The helper enforces the node's cap itself: above it refused, m = 0 paced at it.
    maxRateMbps: limits.maxRateMbps,
    durationS: job.t,
    warmupS: job.w,
    flows: Math.max(1, job.n),
    sizeMin: job.s_min,
    sizeMax: job.s_max === 0 ? job.s_min : job.s_max,
    ...(checked.sizes ? { sizes: checked.sizes } : {}),
    randomPayload: job.r,
    latency: job.l,
    intervalMs: checked.interval_ms ?? JOB_LIMITS.defaultIntervalMs,
    tag,
  };
}
