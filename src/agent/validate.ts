import type { Job } from '../protocol/messages.js';
import { JOB_LIMITS } from '../protocol/limits.js';
import { parseAddress, type Address } from '../transport/address.js';
import { PktgenError } from '../errors.js';
import type { EmitterSpec } from '../emitter/spec.js';

/** Limits a node applies to every job. */
export interface JobLimits {
  maxRateMbps: number;
  maxDurationS: number;
  maxFlows: number;
}

export const DEFAULT_LIMITS: JobLimits = { maxRateMbps: JOB_LIMITS.maxRateMbps, maxDurationS: JOB_LIMITS.maxDurationS, maxFlows: JOB_LIMITS.maxFlows };
const { minFrame: MIN_FRAME, maxFrame: MAX_FRAME } = JOB_LIMITS;

/** A job the node will not run; the message becomes the FAIL reason. */
export class JobRejectedError extends PktgenError {
  constructor(message: string) {
    super('ERR_JOB_REJECTED', message);
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new JobRejectedError(message);
}

/**
 * Checks a job's fields and turns it into an emitter spec (target still unresolved).
 * proto3 cannot tell an unset field from 0, so n = 0 means one flow and s_max = 0 means s_min.
 */
export function jobToSpec(job: Job, defaultTarget: Address | undefined, limits: JobLimits, tag: number): EmitterSpec {
  check(job.m >= 0 && job.m <= limits.maxRateMbps, `m=${job.m}: rate must be 0..${limits.maxRateMbps} Mbit/s (0 = as fast as possible)`);
  check(job.t >= 1 && job.t <= limits.maxDurationS, `t=${job.t}: duration must be 1..${limits.maxDurationS} s`);
  check(job.w >= 0 && job.w <= limits.maxDurationS, `w=${job.w}: warm-up must be 0..${limits.maxDurationS} s`);
  check(job.n >= 0 && job.n <= limits.maxFlows, `n=${job.n}: flows must be 1..${limits.maxFlows}`);
  check(job.s_min >= MIN_FRAME && job.s_min <= MAX_FRAME, `s_min=${job.s_min}: frame size must be ${MIN_FRAME}..${MAX_FRAME} bytes`);
  check(job.s_max === 0 || (job.s_max >= job.s_min && job.s_max <= MAX_FRAME),
    `s_max=${job.s_max}: must be 0 (= s_min) or within s_min..${MAX_FRAME} (s_min=${job.s_min})`);
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
    rateMbps: job.m,
    durationS: job.t,
    warmupS: job.w,
    flows: Math.max(1, job.n),
    sizeMin: job.s_min,
    sizeMax: job.s_max === 0 ? job.s_min : job.s_max,
    randomPayload: job.r,
    latency: job.l,
    tag,
  };
}
