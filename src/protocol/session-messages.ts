import { decode, pktgen, toPlain, type Fields } from './wire.js';
import { DecodeError } from './errors.js';
import { plainJob, plainStats, StatusType, type Job, type Status, type StatusTypeName } from './messages.js';

/** The first 4 bytes of a session on a node's job port ("PKGS"): above any legacy frame length. */
export const SESSION_MAGIC = Buffer.from('PKGS', 'ascii');
/** The session protocol version this build speaks. */
export const SESSION_VERSION = 1;

export type SessionHello = Fields<pktgen.SessionHello>;
export type SessionWelcome = Fields<pktgen.SessionWelcome>;

/** What one session frame carries. */
export type SessionMessage =
  | { kind: 'job'; job: Partial<Job> }
  | { kind: 'accepted'; jobId: string }
  | { kind: 'status'; status: Status }
  | { kind: 'statusAck'; jobId: string; type: StatusTypeName }
  | { kind: 'heartbeat' };

/** A message as received: a job arrives whole, every field present. */
export type ReceivedMessage = Exclude<SessionMessage, { kind: 'job' }> | { kind: 'job'; job: Job };

export const encodeHello = (hello: SessionHello): Uint8Array => pktgen.SessionHello.encode(hello).finish();
export const encodeWelcome = (welcome: SessionWelcome): Uint8Array => pktgen.SessionWelcome.encode(welcome).finish();
export const encodeProof = (proof: Uint8Array): Uint8Array => pktgen.SessionProof.encode({ proof }).finish();

/** Decodes the handshake's first frame. */
export function decodeHello(bytes: Uint8Array): SessionHello {
  const hello = decode(pktgen.SessionHello, bytes);
  return { version: hello.version, nonce: hello.nonce, name: hello.name };
}

/** Decodes the handshake's second frame. */
export function decodeWelcome(bytes: Uint8Array): SessionWelcome {
  const welcome = decode(pktgen.SessionWelcome, bytes);
  return { nonce: welcome.nonce, name: welcome.name, proof: welcome.proof };
}

/** Decodes the handshake's third frame: the scheduler's proof. */
export function decodeProof(bytes: Uint8Array): Uint8Array {
  return decode(pktgen.SessionProof, bytes).proof;
}

/** Encodes a session frame (the tag is added by the session). */
export function encodeSessionFrame(seq: number, message: SessionMessage): Uint8Array {
  const frame: pktgen.SessionFrame.$Properties = { seq };
  switch (message.kind) {
    case 'job': frame.job = message.job; break;
    case 'accepted': frame.accepted = message.jobId; break;
    case 'status': frame.status = { ...message.status, type: StatusType[message.status.type] }; break;
    case 'statusAck': frame.status_ack = { job_id: message.jobId, type: StatusType[message.type] }; break;
    case 'heartbeat': frame.heartbeat = true; break;
  }
  return pktgen.SessionFrame.encode(frame).finish();
}

/** Decodes a session frame; bytes that carry no known body throw DecodeError. */
export function decodeSessionFrame(bytes: Uint8Array): { seq: number; message: ReceivedMessage } {
  const frame = decode(pktgen.SessionFrame, bytes);
  const seq = frame.seq;
  switch (frame.body) {
    case 'job': return { seq, message: { kind: 'job', job: plainJob(pktgen.Job.fromObject(frame.job!)) } };
    case 'accepted': return { seq, message: { kind: 'accepted', jobId: frame.accepted ?? '' } };
    case 'status': return { seq, message: { kind: 'status', status: plainStatus(frame.status!) } };
    case 'status_ack': return { seq, message: { kind: 'statusAck', jobId: frame.status_ack!.job_id ?? '', type: statusType(frame.status_ack!.type ?? 0) } };
    case 'heartbeat': return { seq, message: { kind: 'heartbeat' } };
    default: throw new DecodeError('SessionFrame', 'no body');
  }
}

function statusType(value: number): StatusTypeName {
  const name = pktgen.Status.Type[value] as StatusTypeName | undefined;
  if (name === undefined) throw new DecodeError('SessionFrame', `unknown status type ${value}`);
  return name;
}

function plainStatus(status: pktgen.Status.$Properties): Status {
  const plain: Status = { type: statusType(status.type ?? 0), job_id: status.job_id ?? '', node: status.node ?? '', reason: status.reason ?? '', elapsed_s: status.elapsed_s ?? 0 };
  if (status.stats) plain.stats = plainStats(status.stats);
  return plain;
}
