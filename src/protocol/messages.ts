import { decode, pktgen, toPlain, type Fields } from './wire.js';
import { DecodeError } from './errors.js';

/** The legacy job fields 1-8 and pktgen's extensions (empty string = not set; sizes: empty or absent). */
export type Job = Omit<Fields<pktgen.Job>, 'sizes'> & { sizes?: SizeWeight[] };

/** One frame size of a mix and its weight. */
export type SizeWeight = Fields<pktgen.SizeWeight>;
/** Frames of one size sent. */
export type SizeCount = Fields<pktgen.SizeCount>;

/**
 * A job's traffic parameters: the legacy fields 1-8 (PROTOCOL.md), the rate forms field 1
 * cannot carry (rate_bps, pps), the sending threads (above 1) and a size mix (sizes), present only
 * when set.
 */
export type JobData = Pick<Job, 'm' | 't' | 'w' | 'n' | 's_min' | 's_max' | 'r' | 'l'> & Partial<Pick<Job, 'rate_bps' | 'pps' | 'threads' | 'interval_ms'>> & { sizes?: SizeWeight[] };

/** Status types, with the legacy enum values. */
export const StatusType = pktgen.Status.Type;
export type StatusTypeName = keyof typeof pktgen.Status.Type;

/** RTT percentiles in microseconds. */
export type Rtt = Fields<pktgen.Rtt>;

/** One measured interval of a job's result (proto/pktgen.proto, Interval). */
export type Interval = Fields<pktgen.Interval>;

/** One-way figures through a reflector; the delays only when the two clocks are comparable. */
export type OneWay = Omit<Fields<pktgen.OneWay>, 'fwd_delay_us' | 'ret_delay_us'> & { fwd_delay_us?: Rtt; ret_delay_us?: Rtt };

/**
 * Statistics carried by SUCCESS (see proto/pktgen.proto for the meaning of each field); intervals
 * only when the node reported any (a legacy node never does), one_way only when measured, tx_sizes only for a job with a size mix.
 */
export type Stats = Omit<Fields<pktgen.Stats>, 'rtt_us' | 'intervals' | 'one_way' | 'tx_sizes'> & { rtt_us?: Rtt; intervals?: Interval[]; one_way?: OneWay; tx_sizes?: SizeCount[] };

/** A node's report about a job; legacy peers only know `type`. */
export interface Status extends Omit<Fields<pktgen.Status>, 'type' | 'stats'> {
  type: StatusTypeName;
  stats?: Stats;
}

/** Encodes a job; fields at their default are left out, so a legacy job encodes exactly as before. */
export function encodeJob(job: Partial<Job>): Uint8Array {
  return pktgen.Job.encode(job).finish();
}

/** Decodes a job; throws DecodeError on bytes that are not a Job. */
export function decodeJob(bytes: Uint8Array): Job {
  return plainJob(decode(pktgen.Job, bytes));
}

/** A decoded job as a plain object: every field present, sizes only when the job has a mix. */
export function plainJob(job: pktgen.Job): Job {
  const plain = toPlain<pktgen.Job, Job>(pktgen.Job, job);
  if (!plain.sizes?.length) delete plain.sizes;
  return plain;
}

/** Encodes a status. `stats` is sent only with SUCCESS and PROGRESS. */
export function encodeStatus(status: Partial<Status> & { type: StatusTypeName }): Uint8Array {
  return pktgen.Status.encode({ ...status, type: StatusType[status.type] }).finish();
}

/** Decodes a status, accepting both legacy FAIL encodings (empty, and `08 00`). */
export function decodeStatus(bytes: Uint8Array): Status {
  const message = decode(pktgen.Status, bytes);
  const type = pktgen.Status.Type[message.type] as StatusTypeName | undefined;
  if (type === undefined) throw new DecodeError('Status', `unknown status type ${String(message.type)}`);
  const status: Status = { type, job_id: message.job_id, node: message.node, reason: message.reason, elapsed_s: message.elapsed_s };
  if (message.stats) status.stats = plainStats(message.stats);
  return status;
}

/** Decoded statistics as a plain object: every field present, rtt_us and one_way (and its delays) only when sent. */
export function plainStats(stats: pktgen.Stats.$Properties): Stats {
  const plain = toPlain<pktgen.Stats, Stats>(pktgen.Stats, pktgen.Stats.fromObject(stats));
  if (!stats.rtt_us) delete plain.rtt_us;
  if (!stats.one_way) delete plain.one_way;
  else {
    if (!stats.one_way.fwd_delay_us) delete plain.one_way!.fwd_delay_us;
    if (!stats.one_way.ret_delay_us) delete plain.one_way!.ret_delay_us;
  }
  if (!plain.intervals?.length) delete plain.intervals;
  if (!plain.tx_sizes?.length) delete plain.tx_sizes;
  return plain;
}
