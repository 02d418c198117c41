import protobuf from 'protobufjs';
import descriptor from './generated/pktgen.json' with { type: 'json' };
import { DecodeError } from './errors.js';

/** The legacy job fields 1-8 and pktgen's extensions (empty string = not set). */
export interface Job {
  m: number;
  t: number;
  w: number;
  n: number;
  s_min: number;
  s_max: number;
  r: boolean;
  l: boolean;
  id: string;
  target: string;
  reply_to: string;
  /** Not a job: asks the node to stop job `id`. */
  cancel: boolean;
}

/** Status types, with the legacy enum values. */
export const StatusType = { FAIL: 0, SUCCESS: 1, STARTED: 3, PROGRESS: 4 } as const;
export type StatusTypeName = keyof typeof StatusType;

/** RTT percentiles in microseconds. */
export interface Rtt {
  min: number; p25: number; p50: number; p75: number; p90: number; p95: number;
  p99: number; p999: number; max: number; mean: number; std: number; samples: number;
}

/** Statistics carried by SUCCESS (see proto/pktgen.proto for the meaning of each field). */
export interface Stats {
  tx_packets: number; tx_bytes: number; rx_packets: number; rx_bytes: number;
  loss_ratio: number; tx_mbps_mean: number; tx_mbps_std: number; tx_mpps_mean: number;
  tx_mpps_std: number; tx_wire_mbps_mean: number; rx_mbps_mean: number; rx_mpps_mean: number;
  requested_mbps: number; rx_measured: boolean; rtt_us?: Rtt; duration_s: number; mode: string;
  stalls: number; duplicates: number; reordered: number; tx_mbps: number;
  /** Why the send path asked for was not used; empty when it was. */
  fallback: string;
}

/** A node's report about a job; legacy peers only know `type`. */
export interface Status {
  type: StatusTypeName;
  job_id: string;
  node: string;
  reason: string;
  stats?: Stats;
  /** PROGRESS: seconds since the job started, warm-up included. */
  elapsed_s: number;
}

const root = protobuf.Root.fromJSON(descriptor);
const JobType = root.lookupType('pktgen.Job');
const StatusMsg = root.lookupType('pktgen.Status');
const StatsMsg = root.lookupType('pktgen.Stats');
const typeNames = new Map<number, StatusTypeName>(
  Object.entries(StatusType).map(([name, value]) => [value, name as StatusTypeName]),
);
const convert = { longs: Number, enums: Number, defaults: true } as const;

/** Encodes a job; fields at their default are left out, so a legacy job encodes exactly as before. */
export function encodeJob(job: Partial<Job>): Uint8Array {
  // The typed fields need no fromObject() conversion: encode() reads them as they are and skips
  // absent and default-valued ones, as fromObject() would have.
  return JobType.encode(job).finish();
}

/** Decodes a job; throws DecodeError on bytes that are not a Job. */
export function decodeJob(bytes: Uint8Array): Job {
  let message: protobuf.Message;
  try {
    message = JobType.decode(bytes);
  } catch (error) {
    throw new DecodeError('Job', (error as Error).message);
  }
  return JobType.toObject(message, convert) as Job;
}

/** Encodes a status. `stats` is sent only with SUCCESS. */
export function encodeStatus(status: Partial<Status> & { type: StatusTypeName }): Uint8Array {
  const { stats, ...rest } = status;
  const object: Record<string, unknown> = { ...rest, type: StatusType[status.type] };
  if (stats) object.stats = StatsMsg.fromObject(stats);
  return StatusMsg.encode(StatusMsg.fromObject(object)).finish();
}

/** A decoded Status message: a field absent on the wire reads as its proto3 default (from the prototype). */
interface StatusMessage {
  type: number;
  job_id: string;
  node: string;
  reason: string;
  stats: protobuf.Message | null;
  elapsed_s: number;
}

/** Decodes a status, accepting both legacy FAIL encodings (empty, and `08 00`). */
export function decodeStatus(bytes: Uint8Array): Status {
  let message: StatusMessage;
  try {
    message = StatusMsg.decode(bytes) as unknown as StatusMessage;
  } catch (error) {
    throw new DecodeError('Status', (error as Error).message);
  }
  const type = typeNames.get(message.type);
  if (!type) throw new DecodeError('Status', `unknown status type ${String(message.type)}`);
  // Only the statistics need toObject() (64-bit counters to numbers); the rest is read as decoded.
  const status: Status = { type, job_id: message.job_id, node: message.node, reason: message.reason, elapsed_s: message.elapsed_s };
  if (message.stats) status.stats = normaliseStats(StatsMsg.toObject(message.stats, convert));
  return status;
}

function normaliseStats(raw: Record<string, unknown>): Stats {
  const stats = { ...raw } as unknown as Stats & { rtt_us?: Rtt | null };
  if (!raw.rtt_us) delete stats.rtt_us;
  return stats;
}
