import { decode, pktgen, toPlain, type Fields } from './wire.js';
import { DecodeError } from './errors.js';
import { plainStats, type JobData } from './messages.js';
import { EXPECT_KEYS, type ExpectationsJson, type JobInfo, type JobState, type LateResult, type NodeHealth, type NodeInfo, type Snapshot } from './view.js';

/** A job as the user wrote it (JSON text) and how errors name it; the scheduler validates it. */
export type JobRequest = Fields<pktgen.JobRequest>;
/** A node to add (port 0 = the node port's default). */
export type NodeRequest = Fields<pktgen.NodeRequest>;

/** One control request: any mix of additions, cancellations, pause changes and a query. */
export type ControlRequest = Omit<Fields<pktgen.ControlRequest>, 'add_jobs' | 'add_nodes' | 'states' | 'search'> & {
  add_jobs: JobRequest[];
  add_nodes: NodeRequest[];
  /** Query: only jobs in these states; empty = every state. */
  states: JobState[];
  /** A throughput search to start, as the user wrote it; absent = none. */
  search?: SearchRequest;
};

/** A throughput search as the user wrote it (JSON text) and how errors name it; the scheduler validates it. */
export type SearchRequest = Fields<pktgen.SearchRequest>;
/** One trial of a search, as the control API carries it. */
export type SearchTrialInfo = Fields<pktgen.SearchTrial>;
/** A search and its trials so far, as the control API carries it. */
export type SearchInfo = Omit<Fields<pktgen.SearchInfo>, 'trials'> & { trials: SearchTrialInfo[] };

/** The scheduler's answer; `error` set means nothing in the request was applied. */
export interface ControlResponse extends Snapshot {
  error?: { code: string; message: string };
  /** add_jobs: the new ids, in request order. */
  job_ids: string[];
  /** Jobs this request cancelled (cancel, cancel_nodes, remove_nodes). */
  cancelled?: string[];
  /** explain: per listed pending job, how many jobs come before it on its node (the running one included). */
  queued_ahead?: Record<string, number>;
  /** Set while the scheduler cannot save its state: since when and why. */
  store_error?: string;
  /** search: the search started; query: every search. */
  searches?: SearchInfo[];
}

const upper = <T extends string>(name: T): Uppercase<T> => name.toUpperCase() as Uppercase<T>;

/**
 * A decoded enum value by its lower-case name. toObject() leaves a number no name has (noise, or a
 * value of a newer peer) as a number: that is a DecodeError, not a TypeError further on.
 */
function lower<T extends string>(messageType: string, field: string, value: string | number): Lowercase<T> {
  if (typeof value !== 'string') throw new DecodeError(messageType, `unknown ${field} ${value}`);
  return value.toLowerCase() as Lowercase<T>;
}
const DATA_KEYS = ['m', 't', 'w', 'n', 's_min', 's_max', 'r', 'l'] as const;

/** A request with every field empty. */
export function emptyRequest(): ControlRequest {
  return {
    add_jobs: [], add_nodes: [], cancel: [], query: false, job_ids: [], node: '', states: [], pause_node: '', resume_node: '', limit: 0,
    remove_nodes: [], cancel_nodes: [], explain: false,
  };
}

/** Encodes a control request. */
export function encodeRequest(request: Partial<ControlRequest>): Uint8Array {
  const states = (request.states ?? []).map((state) => pktgen.JobState[upper(state)]);
  return pktgen.ControlRequest.encode({ ...request, states }).finish();
}

/** Decodes a control request; throws DecodeError on bad bytes. */
export function decodeRequest(bytes: Uint8Array): ControlRequest {
  const message = decode(pktgen.ControlRequest, bytes);
  const plain = toPlain<pktgen.ControlRequest, Omit<ControlRequest, 'states' | 'search'> & { states: (string | number)[]; search: SearchRequest | null }>(pktgen.ControlRequest, message);
  const request: ControlRequest = { ...plain, search: plain.search ?? undefined, states: plain.states.map((state) => lower<JobState>('ControlRequest', 'job state', state)) };
  if (!request.search) delete request.search;
  return request;
}

/** Encodes a control response. */
export function encodeResponse(response: Partial<ControlResponse>): Uint8Array {
  return pktgen.ControlResponse.encode({
    ...response,
    nodes: response.nodes?.map((node) => ({ ...node, health: pktgen.NodeHealth[upper(node.health)] })),
    jobs: response.jobs?.map((job) => ({
      ...job, state: pktgen.JobState[upper(job.state)], late: job.late && { ...job.late, type: pktgen.Status.Type[job.late.type] },
    })),
  }).finish();
}

/** Decodes a control response; throws DecodeError on bad bytes. */
export function decodeResponse(bytes: Uint8Array): ControlResponse {
  const message = decode(pktgen.ControlResponse, bytes);
  const response: ControlResponse = {
    job_ids: message.job_ids,
    jobs_total: message.jobs_total,
    nodes: message.nodes.map((node) => nodeInfo(toPlain(pktgen.NodeInfo, pktgen.NodeInfo.fromObject(node)))),
    jobs: message.jobs.map((job) => jobInfo(toPlain(pktgen.JobInfo, pktgen.JobInfo.fromObject(job)), job.stats, job.late, job.expect)),
  };
  if (message.cancelled.length > 0) response.cancelled = message.cancelled;
  if (Object.keys(message.queued_ahead).length > 0) response.queued_ahead = { ...message.queued_ahead };
  if (message.error?.code) response.error = { code: message.error.code, message: message.error.message ?? '' };
  if (message.store_error) response.store_error = message.store_error;
  if (message.searches.length > 0) response.searches = message.searches.map((search) => toPlain<pktgen.SearchInfo, SearchInfo>(pktgen.SearchInfo, pktgen.SearchInfo.fromObject(search)));
  return response;
}

function nodeInfo(plain: Omit<NodeInfo, 'health'> & { health: string | number }): NodeInfo {
  return { ...plain, health: lower<NodeHealth>('ControlResponse', 'node health', plain.health) };
}

function jobInfo(
  plain: Omit<JobInfo, 'state' | 'data' | 'stats' | 'late' | 'expect' | 'intervals'> & { state: string | number; data: JobData | null; stats: unknown; late: unknown; expect: unknown; intervals?: unknown },
  stats: pktgen.Stats.$Properties | null | undefined,
  late: pktgen.LateResult.$Properties | null | undefined,
  expect: pktgen.Expectations.$Properties | null | undefined,
): JobInfo {
  const data: Record<string, unknown> = Object.fromEntries(DATA_KEYS.map((key) => [key, plain.data?.[key] ?? (key === 'r' || key === 'l' ? false : 0)]));
  // The rate's newer forms, only when set: a job at a whole Mbit/s reads as it always did.
  for (const key of ['rate_bps', 'pps', 'threads', 'interval_ms'] as const) if (plain.data?.[key]) data[key] = Number(plain.data[key]);
  // A size mix, only when set, as {size, weight} pairs.
  if (plain.data?.sizes?.length) data.sizes = plain.data.sizes.map(({ size, weight }) => ({ size: size ?? 0, weight: weight ?? 0 }));
  const { intervals: liveIntervals, ...fields } = plain;
  const info: JobInfo = { ...fields, state: lower<JobState>('ControlResponse', 'job state', plain.state), data: data as JobData, stats: undefined, late: undefined, expect: undefined };
  if (stats) info.stats = plainStats(stats);
  else delete info.stats;
  if (late) info.late = lateResult(late);
  else delete info.late;
  const intervals = plainStats({ intervals: liveIntervals as pktgen.IInterval[] | undefined }).intervals;
  if (intervals) info.intervals = intervals;
  else delete info.intervals;
  // Only the expectations asked for: "" on the wire is "not asked for".
  const asked = Object.fromEntries(Object.entries(expect ?? {}).filter(([key, value]) => EXPECT_KEYS.includes(key as keyof ExpectationsJson) && typeof value === 'string' && value !== ''));
  if (Object.keys(asked).length > 0) info.expect = asked as ExpectationsJson;
  else delete info.expect;
  if (!info.search) delete info.search;
  return info;
}

function lateResult(late: pktgen.LateResult.$Properties): LateResult {
  const result: LateResult = { type: late.type === pktgen.Status.Type.SUCCESS ? 'SUCCESS' : 'FAIL', reason: late.reason ?? '', at: late.at ?? 0 };
  if (late.stats) result.stats = plainStats(late.stats);
  return result;
}

/** A control request or response with its proof of the cluster key (proto/pktgen.proto, ControlEnvelope). */
export type ControlEnvelope = Omit<Fields<pktgen.ControlEnvelope>, 'error'> & { error?: { code: string; message: string } };

/** Encodes a control envelope. */
export function encodeEnvelope(envelope: Partial<ControlEnvelope>): Uint8Array {
  return pktgen.ControlEnvelope.encode(envelope).finish();
}

/** Decodes a control envelope; throws DecodeError on bad bytes. */
export function decodeEnvelope(bytes: Uint8Array): ControlEnvelope {
  const message = decode(pktgen.ControlEnvelope, bytes);
  const envelope: ControlEnvelope = { body: message.body, nonce: message.nonce, time_ms: message.time_ms, mac: message.mac };
  if (message.error?.code) envelope.error = { code: message.error.code, message: message.error.message ?? '' };
  return envelope;
}
