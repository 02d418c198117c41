import protobuf from 'protobufjs';
import descriptor from './generated/pktgen.json' with { type: 'json' };
import { DecodeError } from './errors.js';
import type { JobData } from '../scheduler/types.js';
import type { JobInfo, NodeInfo } from '../scheduler/snapshot.js';

/** A job to add through the control API. */
export interface ControlJob {
  nodes: string[];
  all_nodes: boolean;
  priority: number;
  data: JobData;
  target: string;
  /** Grace past w + t in seconds; 0 = the scheduler's default. */
  timeout_s: number;
  retries: number;
}

/** A node to add through the control API (port 0 = 1729). */
export interface ControlNode {
  name: string;
  host: string;
  port: number;
  reflector: string;
}

/** One control request: any mix of additions, cancellations, pause changes and a query. */
export interface ControlRequest {
  add_jobs: ControlJob[];
  add_nodes: ControlNode[];
  cancel: string[];
  query: boolean;
  job_ids: string[];
  node: string;
  state: string;
  pause_node: string;
  resume_node: string;
  /** Query: only the newest N matching jobs; 0 = all. */
  limit: number;
}

/** The scheduler's answer; `error` set means nothing in the request was applied. */
export interface ControlResponse {
  error?: { code: string; message: string };
  job_ids: string[];
  nodes: NodeInfo[];
  jobs: JobInfo[];
  jobs_total: number;
}

const root = protobuf.Root.fromJSON(descriptor);
const RequestType = root.lookupType('pktgen.ControlRequest');
const ResponseType = root.lookupType('pktgen.ControlResponse');
const convert = { longs: Number, enums: Number, defaults: true, arrays: true } as const;
const DATA_KEYS = ['m', 't', 'w', 'n', 's_min', 's_max', 'r', 'l'] as const;

/** A request with every field empty. */
export function emptyRequest(): ControlRequest {
  return { add_jobs: [], add_nodes: [], cancel: [], query: false, job_ids: [], node: '', state: '', pause_node: '', resume_node: '', limit: 0 };
}

const pickData = (raw: Record<string, unknown> | null | undefined): JobData =>
  Object.fromEntries(DATA_KEYS.map((k) => [k, raw?.[k] ?? (k === 'r' || k === 'l' ? false : 0)])) as unknown as JobData;

/** Encodes a control request. */
export function encodeRequest(request: Partial<ControlRequest>): Uint8Array {
  return RequestType.encode(RequestType.fromObject({ ...emptyRequest(), ...request })).finish();
}

/** Decodes a control request; throws DecodeError on bad bytes. */
export function decodeRequest(bytes: Uint8Array): ControlRequest {
  let raw: Record<string, unknown>;
  try {
    raw = RequestType.toObject(RequestType.decode(bytes), convert);
  } catch (error) {
    throw new DecodeError('ControlRequest', (error as Error).message);
  }
  const request = raw as unknown as ControlRequest;
  request.add_jobs = request.add_jobs.map((job) => ({ ...job, data: pickData(job.data as unknown as Record<string, unknown>) }));
  return request;
}

/** Encodes a control response. */
export function encodeResponse(response: Partial<ControlResponse>): Uint8Array {
  return ResponseType.encode(ResponseType.fromObject({ job_ids: [], nodes: [], jobs: [], jobs_total: 0, ...response })).finish();
}

/** Decodes a control response; throws DecodeError on bad bytes. */
export function decodeResponse(bytes: Uint8Array): ControlResponse {
  let raw: Record<string, unknown>;
  try {
    raw = ResponseType.toObject(ResponseType.decode(bytes), convert);
  } catch (error) {
    throw new DecodeError('ControlResponse', (error as Error).message);
  }
  const response = raw as unknown as ControlResponse & { error: ControlResponse['error'] | null };
  if (!response.error || response.error.code === '') delete response.error;
  response.jobs = response.jobs.map((job) => {
    const info = { ...job, data: pickData(job.data as unknown as Record<string, unknown>) } as JobInfo & { stats?: JobInfo['stats'] | null };
    if (!info.stats) delete info.stats;
    else if (!info.stats.rtt_us) delete info.stats.rtt_us;
    return info;
  });
  return response;
}
