import fc from 'fast-check';
import { JOB_STATES, NODE_HEALTHS } from '../../src/protocol/view.js';
import type { Job, Stats, Status, StatusTypeName } from '../../src/protocol/messages.js';
import type { ControlEnvelope, ControlRequest, ControlResponse } from '../../src/protocol/control-messages.js';
import type { SessionMessage } from '../../src/protocol/session-messages.js';
import { byteMutations, concat, mutateBytes, varint, type ByteMutation } from './mutate.js';

/**
 * Valid protobuf messages of every type pktgen decodes, as objects its encoders take, and the
 * byte inputs built from them: valid, mutated, a soup of raw fields, or noise.
 */

// Short strings most of the time; any Unicode scalar value (no lone surrogates: those are not
// UTF-8, so no encoder could send them).
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const int32 = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const uint32 = fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: 2 ** 32 - 1 }));
const uint64 = fc.oneof(fc.nat({ max: 1_000_000 }), fc.maxSafeNat());
const double = fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double());
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const list = <T>(item: fc.Arbitrary<T>, max = 3) => fc.array(item, { maxLength: max });
const partial = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.record(fields, { requiredKeys: [] });

const sizeWeights = list(fc.record({ size: uint32, weight: uint32 }, { requiredKeys: [] }), 17);

/** A Job as any peer may send it, extensions included. */
export const job = partial({
  m: int32, t: int32, w: int32, n: int32, s_min: int32, s_max: int32, r: fc.boolean(), l: fc.boolean(),
  id: text, target: text, reply_to: text, cancel: fc.boolean(), rate_bps: uint64, pps: uint32, threads: uint32, interval_ms: uint32,
  sizes: sizeWeights,
}) as fc.Arbitrary<Partial<Job>>;

const jobData = fc.record({ m: int32, t: int32, w: int32, n: int32, s_min: int32, s_max: int32, r: fc.boolean(), l: fc.boolean(), sizes: sizeWeights }, { requiredKeys: ['m', 't', 'w', 'n', 's_min', 's_max', 'r', 'l'] });

const rtt = fc.record({
  min: double, p25: double, p50: double, p75: double, p90: double, p95: double, p99: double, p999: double,
  max: double, mean: double, std: double, samples: uint64,
});

const oneWay = fc.record({
  answered: uint64, fwd_sent: uint64, fwd_received: uint64, fwd_loss: double, ret_sent: uint64, ret_received: uint64,
  ret_loss: double, reflector_dropped: uint64, reflector_overflow: uint64, jitter_measured: fc.boolean(),
  fwd_jitter_us: double, ret_jitter_us: double, fwd_delay_us: rtt, ret_delay_us: rtt, note: text,
}, { requiredKeys: [] });
/** One measured interval of a result or a PROGRESS. */
const interval = partial({
  index: uint32, start_ms: double, duration_s: double, tx_packets: uint64, tx_bytes: uint64, rx_packets: uint64, rx_bytes: uint64,
  tx_mbps: double, tx_mpps: double, loss_ratio: double, rtt_p50_us: double, rtt_p99_us: double, rtt_samples: uint64,
});

/** Statistics of a SUCCESS or PROGRESS. */
export const stats: fc.Arbitrary<Stats> = fc.record({
  tx_packets: uint64, tx_bytes: uint64, rx_packets: uint64, rx_bytes: uint64, loss_ratio: double,
  tx_mbps_mean: double, tx_mbps_std: double, tx_mpps_mean: double, tx_mpps_std: double, tx_wire_mbps_mean: double,
  rx_mbps_mean: double, rx_mpps_mean: double, requested_mbps: double, rx_measured: fc.boolean(),
  rtt_us: rtt, duration_s: double, mode: text, stalls: uint64, duplicates: uint64, reordered: uint64,
  tx_mbps: double, fallback: text, rtt_note: text, threads: uint32, intervals: list(interval), one_way: oneWay,
  tx_sizes: list(fc.record({ size: uint32, packets: uint64 }, { requiredKeys: [] }), 17),
}, { requiredKeys: [] }) as fc.Arbitrary<Stats>;

const statusType = fc.constantFrom<StatusTypeName>('FAIL', 'SUCCESS', 'STARTED', 'PROGRESS');

/** A node's status about a job. */
export const status = fc.record({
  type: statusType, job_id: text, node: text, reason: text, elapsed_s: double, stats,
}, { requiredKeys: ['type'] }) as fc.Arbitrary<Partial<Status> & { type: StatusTypeName }>;

/** A control request (what `pktgen submit` and `status` send). */
export const controlRequest = partial({
  add_jobs: list(fc.record({ all_nodes: fc.boolean(), json: text, where: text })),
  add_nodes: list(fc.record({ name: text, host: text, port: int32, reflector: text, legacy: fc.boolean() })),
  cancel: list(text), query: fc.boolean(), job_ids: list(text), node: text,
  states: list(fc.constantFrom(...JOB_STATES)), pause_node: text, resume_node: text, limit: uint32,
  remove_nodes: list(text), cancel_nodes: list(text), explain: fc.boolean(),
  search: fc.record({ json: text, where: text }),
}) as fc.Arbitrary<Partial<ControlRequest>>;

const nodeInfo = fc.record({
  name: text, host: text, port: int32, reflector: text, paused: fc.boolean(), pending: uint32, running_job: text,
  progress: double, live_mbps: double, done: uint32, failed: uint32, health: fc.constantFrom(...NODE_HEALTHS), legacy: fc.boolean(),
  down_since: double, cancelled: uint32,
});

const jobInfo = fc.record({
  id: text, node: text, priority: int32, data: jobData, target: text, reason: text, attempts: int32, stats,
  created_at: double, started_at: double, finished_at: double, seq: uint64, state: fc.constantFrom(...JOB_STATES), sent_at: double,
  late: fc.record({ type: statusType, reason: text, stats, at: double }, { requiredKeys: [] }),
  expect: fc.record({ max_loss: text, max_rtt_p99: text, min_rate: text }, { requiredKeys: [] }),
  intervals: list(interval),
  search: text,
}, { requiredKeys: ['id', 'node', 'priority', 'data', 'target', 'reason', 'attempts', 'created_at', 'started_at', 'finished_at', 'seq', 'state', 'sent_at'] });

const controlError = fc.record({ code: text, message: text });

const searchTrial = fc.record({
  size: uint32, rate_bps: uint64, verdict: text, loss_measured: fc.boolean(), loss_ratio: double, tx_bps: double, job_id: text, reason: text,
}, { requiredKeys: [] });
const searchInfo = fc.record({ id: text, json: text, state: text, trials: list(searchTrial), created_at: double, finished_at: double }, { requiredKeys: [] });

/** A control response (the scheduler's answer). */
export const controlResponse = partial({
  error: controlError, job_ids: list(text), nodes: list(nodeInfo), jobs: list(jobInfo), jobs_total: uint32, cancelled: list(text),
  // Map keys that a plain object treats specially, too.
  queued_ahead: fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'toString')), uint32, { maxKeys: 3 }),
  searches: list(searchInfo),
}) as fc.Arbitrary<Partial<ControlResponse>>;

/** A control envelope around a request or response. */
export const controlEnvelope = partial({
  error: controlError, body: bytes(64), nonce: bytes(20), time_ms: uint64, mac: bytes(34),
}) as fc.Arbitrary<Partial<ControlEnvelope>>;

export const sessionHello = fc.record({ version: uint32, nonce: bytes(34), name: text });
export const sessionWelcome = fc.record({ nonce: bytes(34), name: text, proof: bytes(34) });
export const sessionProof = bytes(34);

/** What one session frame carries. */
export const sessionMessage: fc.Arbitrary<SessionMessage> = fc.oneof(
  job.map((j) => ({ kind: 'job' as const, job: j })),
  text.map((jobId) => ({ kind: 'accepted' as const, jobId })),
  status.map((s) => ({ kind: 'status' as const, status: { job_id: '', node: '', reason: '', elapsed_s: 0, ...s } })),
  fc.record({ jobId: text, type: statusType }).map(({ jobId, type }) => ({ kind: 'statusAck' as const, jobId, type })),
  fc.constant({ kind: 'heartbeat' as const }),
);

/** A session frame's number: small, or anywhere up to 2^53. */
export const seq = fc.oneof(fc.nat({ max: 100 }), fc.maxSafeNat());

/** One raw protobuf field of any wire type, with a length prefix that may lie. */
interface RawField {
  field: number;
  wire: number;
  value: bigint;
  payload: Uint8Array;
  lie: number;
}

const rawField: fc.Arbitrary<RawField> = fc.record({
  // Field numbers pktgen's messages use, and beyond them; 0 is never valid.
  field: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 22 }) }, fc.constantFrom(2 ** 29 - 1, 2 ** 29, 2 ** 32 - 1)),
  wire: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 5) }, fc.constantFrom(3, 4, 6, 7)),
  // Small, any, and the edges of a double's exact integers and of 64 bits.
  value: fc.oneof(fc.bigInt({ min: 0n, max: 20n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom((1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, (1n << 64n) - 1n)),
  payload: bytes(24),
  lie: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, fc.integer({ min: -3, max: 3 }), fc.constantFrom(2 ** 31, 2 ** 32 - 1)),
});

function encodeRaw(f: RawField): Uint8Array {
  const tag = varint((BigInt(f.field) << 3n) | BigInt(f.wire));
  switch (f.wire) {
    case 0: return concat([tag, varint(f.value)]);
    case 1: return concat([tag, padded(f.payload, 8)]);
    case 5: return concat([tag, padded(f.payload, 4)]);
    case 2: return concat([tag, varint(BigInt(Math.max(0, f.payload.length + f.lie))), f.payload]);
    default: return tag;
  }
}

const padded = (b: Uint8Array, n: number): Uint8Array => concat([b, new Uint8Array(n)]).subarray(0, n);

/** Raw fields, some holding a valid sub-message or another soup, concatenated. */
const soup: fc.Arbitrary<Uint8Array> = fc.letrec<{ soup: Uint8Array }>((tie) => ({
  soup: fc.array(fc.oneof(
    { weight: 4, arbitrary: rawField.map(encodeRaw) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 22 }), tie('soup'), fc.integer({ min: -2, max: 2 })).map(([field, inner, lie]) =>
      concat([varint(BigInt(field << 3 | 2)), varint(BigInt(Math.max(0, inner.length + lie))), inner])) },
  ), { maxLength: 8, depthIdentifier: 'soup' }).map(concat),
})).soup;

/** A decoder's input and how it was made; `valid` inputs are a valid encoding, unchanged. */
export interface ByteInput {
  how: 'valid' | 'mutated' | 'soup' | 'noise';
  bytes: Uint8Array;
  mutations?: ByteMutation[];
}

/**
 * Inputs for a protobuf decoder, from the encodings `valid` of valid messages: half of them
 * mutated, some unchanged, some raw field soup (valid encodings spliced in) and some noise.
 */
export function byteInputs(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<ByteInput> {
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((b) => ({ how: 'valid' as const, bytes: b })) },
    { weight: 5, arbitrary: fc.tuple(valid, byteMutations).map(([b, mutations]) => ({ how: 'mutated' as const, bytes: mutateBytes(b, mutations), mutations })) },
    { weight: 2, arbitrary: fc.array(fc.oneof(soup, valid), { minLength: 1, maxLength: 3 }).map((parts) => ({ how: 'soup' as const, bytes: concat(parts) })) },
    { weight: 1, arbitrary: bytes(64).map((b) => ({ how: 'noise' as const, bytes: b })) },
  );
}
