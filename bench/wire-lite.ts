/**
 * The few wire bytes the benchmark reads and writes, without protobufjs: the simulator shares a
 * 2-core machine with the scheduler it measures, and the latency probe runs inside the scheduler,
 * so every microsecond they spend is one the scheduler lacks. checkWireLite() compares these with
 * src/protocol, so they cannot drift apart.
 */
import assert from 'node:assert/strict';
import { decodeStatus, encodeJob, encodeStatus, StatusType } from '../src/protocol/messages.js';
import { encodeSessionFrame } from '../src/protocol/session-messages.js';
import { TAG_BYTES } from '../src/session/crypto.js';

const JOB_ID = 16;
const JOB_REPLY_TO = 18;
const STATUS_JOB_ID = 16;
const STATUS_NODE = 17;
const SESSION_JOB = 2;
const SESSION_STATUS = 4;

function readVarint(bytes: Uint8Array, at: { i: number }): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at.i++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
}

/**
 * Walks the top-level fields of a message: `fields[n]` receives field n's value (varint) or its
 * text (length-delimited); other fields are skipped. No closures: this runs in the measured process.
 */
function scan(bytes: Buffer, wanted: readonly number[], into: Array<string | number>): void {
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const tag = readVarint(bytes, at);
    const slot = wanted.indexOf(tag >>> 3);
    switch (tag & 7) {
      case 0: {
        const value = readVarint(bytes, at);
        if (slot >= 0) into[slot] = value;
        break;
      }
      case 1: at.i += 8; break;
      case 5: at.i += 4; break;
      case 2: {
        const length = readVarint(bytes, at);
        if (slot >= 0) into[slot] = bytes.toString('utf8', at.i, at.i + length);
        at.i += length;
        break;
      }
      default: throw new Error(`wire-lite: wire type ${tag & 7}`);
    }
  }
}

const JOB_FIELDS = [JOB_ID, JOB_REPLY_TO];
const STATUS_FIELDS = [1, STATUS_JOB_ID];

/** A job's id and reply address (Job fields 16 and 18). */
export function readJob(bytes: Buffer): { id: string; replyTo: string } {
  const values: Array<string | number> = ['', ''];
  scan(bytes, JOB_FIELDS, values);
  return { id: String(values[0]), replyTo: String(values[1]) };
}

/** A status's type (the legacy enum value) and job id. */
export function readStatus(bytes: Buffer): { type: number; jobId: string } {
  const values: Array<string | number> = [0, ''];
  scan(bytes, STATUS_FIELDS, values);
  return { type: Number(values[0]), jobId: String(values[1]) };
}

/** The bytes of length-delimited field `field` of a message (its first occurrence), or undefined. */
function fieldBytes(bytes: Buffer, field: number): Buffer | undefined {
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const tag = readVarint(bytes, at);
    switch (tag & 7) {
      case 0: readVarint(bytes, at); break;
      case 1: at.i += 8; break;
      case 5: at.i += 4; break;
      case 2: {
        const length = readVarint(bytes, at);
        if (tag >>> 3 === field) return bytes.subarray(at.i, at.i + length);
        at.i += length;
        break;
      }
      default: throw new Error(`wire-lite: wire type ${tag & 7}`);
    }
  }
  return undefined;
}

/** What one session frame (its payload: SessionFrame and tag) carries: a job's id, or a status's type and job id. */
export interface SessionFrameLite { jobId?: string; status?: { type: number; jobId: string } }

/** Reads a session frame's payload (the 4-byte length already cut off), its tag ignored. */
export function readSessionFrame(payload: Buffer): SessionFrameLite {
  const body = payload.subarray(0, payload.length - TAG_BYTES);
  const job = fieldBytes(body, SESSION_JOB);
  if (job) return { jobId: readJob(job).id };
  const status = fieldBytes(body, SESSION_STATUS);
  return status ? { status: readStatus(status) } : {};
}

function stringField(field: number, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head: number[] = [];
  for (let tag = (field << 3) | 2; ; tag >>>= 7) {
    if (tag < 0x80) { head.push(tag); break; }
    head.push((tag & 0x7f) | 0x80);
  }
  for (let length = body.length; ; length >>>= 7) {
    if (length < 0x80) { head.push(length); break; }
    head.push((length & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** A whole status frame (length prefix included): type, job id and node name. */
export function statusFrame(type: 'STARTED' | 'SUCCESS', jobId: string, node: string): Buffer {
  const payload = Buffer.concat([Buffer.from([0x08, StatusType[type]]), stringField(STATUS_JOB_ID, jobId), stringField(STATUS_NODE, node)]);
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
}

/** Throws if these bytes and src/protocol disagree. */
export function checkWireLite(): void {
  const job = Buffer.from(encodeJob({ m: 5, t: 1, s_min: 64, r: true, id: 'j0123456789ab', target: '127.0.0.1:9', reply_to: ':1800' }));
  assert.deepEqual(readJob(job), { id: 'j0123456789ab', replyTo: ':1800' });
  for (const type of ['STARTED', 'SUCCESS'] as const) {
    const frame = statusFrame(type, 'j0123456789ab', 'n999').subarray(4);
    const status = decodeStatus(frame);
    assert.deepEqual([status.type, status.job_id, status.node], [type, 'j0123456789ab', 'n999']);
    assert.deepEqual(readStatus(Buffer.from(encodeStatus({ type, job_id: 'j0123456789ab', node: 'x', reason: 'r' }))), { type: StatusType[type], jobId: 'j0123456789ab' });
    const sessionStatus = { type, job_id: 'j0123456789ab', node: 'n999', reason: '', elapsed_s: 0 };
    assert.deepEqual(readSessionFrame(tagged(encodeSessionFrame(300, { kind: 'status', status: sessionStatus }))), { status: { type: StatusType[type], jobId: 'j0123456789ab' } });
  }
  const sessionJob = { m: 5, t: 1, s_min: 64, id: 'j0123456789ab', target: '127.0.0.1:9' };
  assert.deepEqual(readSessionFrame(tagged(encodeSessionFrame(7, { kind: 'job', job: sessionJob }))), { jobId: 'j0123456789ab' });
  for (const message of [{ kind: 'heartbeat' }, { kind: 'accepted', jobId: 'j0123456789ab' }, { kind: 'statusAck', jobId: 'j0123456789ab', type: 'SUCCESS' }] as const) {
    assert.deepEqual(readSessionFrame(tagged(encodeSessionFrame(8, message))), {});
  }
}

/** A session frame's payload with a stand-in tag. */
const tagged = (body: Uint8Array): Buffer => Buffer.concat([body, Buffer.alloc(TAG_BYTES, 0xff)]);
