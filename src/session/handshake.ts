import { connect, type Socket } from 'node:net';
import { PktgenError, describeError } from '../errors.js';
import { encodeFrame, FrameDecoder } from '../transport/framing.js';
import { formatAddress, type Address } from '../transport/address.js';
import {
  decodeHello, decodeProof, decodeWelcome, encodeHello, encodeProof, encodeWelcome, SESSION_MAGIC, SESSION_VERSION,
} from '../protocol/session-messages.js';
import { directionKeys, freshNonce, NONCE_BYTES, proof, proofHolds, type SessionSecret, type Transcript } from './crypto.js';
import { SessionChannel, SESSION_TIMING } from './channel.js';

/** Heartbeat and silence of a session; tests shorten them. */
export type SessionTiming = { heartbeatMs: number; silenceMs: number };

/** A handshake frame is small (a nonce, a name, a proof); anything larger is an attack. */
export const MAX_SESSION_FRAME = 64 * 1024;
/**
 * A frame of an authenticated session: a status may carry a result with its intervals, up to
 * JOB_LIMITS.maxIntervals of ~100 bytes (~360 KiB); only a peer that proved the key gets this far.
 */
const MAX_AUTHENTICATED_FRAME = 1024 * 1024;
/** How long a connection may take to prove the key (issue: unauthenticated connections close within 2 s). */
export const HANDSHAKE_DEADLINE_MS = 2000;

/** The peer did not prove the cluster key, or the handshake broke off. */
export class SessionError extends PktgenError {}

/** Reads the handshake's frames from a socket until the deadline; then hands the socket over. */
class HandshakeReader {
  private readonly decoder = new FrameDecoder(MAX_SESSION_FRAME);
  private readonly frames: Buffer[] = [];
  private waiting?: { resolve: (frame: Buffer) => void; reject: (error: Error) => void };
  private failure?: Error;
  private readonly onData = (chunk: Buffer): void => this.push(chunk);
  private readonly onEnd = (): void => this.fail(new SessionError('ERR_SESSION', 'the peer closed the connection during the handshake'));
  private readonly onError = (error: Error): void => this.fail(new SessionError('ERR_SESSION', `connection error during the handshake: ${describeError(error)}`));
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly socket: Socket, deadlineMs: number, head?: Buffer) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    this.timer = setTimeout(() => this.fail(new SessionError('ERR_SESSION', `no handshake within ${deadlineMs} ms`)), deadlineMs);
    if (head && head.length > 0) this.push(head);
  }

  next(): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Stops reading; returns the decoder and any frame that came early, for the session to go on with. */
  handOver(): { decoder: FrameDecoder; pending: Buffer[] } {
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    // Paused until the session's owner has attached its listeners and calls start().
    this.socket.pause();
    return { decoder: this.decoder, pending: this.frames.splice(0) };
  }

  private push(chunk: Buffer): void {
    try {
      this.frames.push(...this.decoder.push(chunk));
    } catch (error) {
      return this.fail(error as Error);
    }
    if (this.waiting && this.frames.length > 0) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(this.frames.shift()!);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.waiting?.reject(error);
    this.waiting = undefined;
  }
}

/**
 * Scheduler side: connects to a node's job port, proves the key and checks that the node does too.
 * Resolves with the open session; rejects with SessionError (the message says which side failed).
 */
export async function openSession(address: Address, secret: SessionSecret, name: string, connectTimeoutMs = 3000, timing: SessionTiming = SESSION_TIMING): Promise<SessionChannel> {
  const socket = connect({ host: address.host, port: address.port });
  const reader = new HandshakeReader(socket, connectTimeoutMs + HANDSHAKE_DEADLINE_MS);
  try {
    const schedulerNonce = freshNonce();
    socket.write(Buffer.concat([SESSION_MAGIC, encodeFrame(encodeHello({ version: SESSION_VERSION, nonce: schedulerNonce, name }))]));
    const welcome = decodeWelcome(await reader.next());
    const t: Transcript = { schedulerNonce, nodeNonce: welcome.nonce, schedulerName: name, nodeName: welcome.name };
    if (welcome.nonce.length !== NONCE_BYTES || !proofHolds(secret, 'node', t, welcome.proof)) {
      throw new SessionError('ERR_AUTH', `authentication failed: node at ${formatAddress(address)} did not prove the cluster key (a different key?)`);
    }
    socket.write(encodeFrame(encodeProof(proof(secret, 'scheduler', t))));
    const keys = directionKeys(secret, t);
    const { decoder, pending } = reader.handOver();
    decoder.allow(MAX_AUTHENTICATED_FRAME);
    return new SessionChannel(socket, decoder, { send: keys.toNode, receive: keys.toScheduler }, welcome.name, pending, timing);
  } catch (error) {
    return abandon(reader, socket, error, `session with node at ${formatAddress(address)}: `);
  }
}

/**
 * Node side: `socket` began with the session magic (already read); `head` is what followed it.
 * Proves the key, checks the scheduler's proof within 2 s, and resolves with the open session.
 */
export async function acceptSession(socket: Socket, head: Buffer, secret: SessionSecret, name: string, timing: SessionTiming = SESSION_TIMING): Promise<SessionChannel> {
  const reader = new HandshakeReader(socket, HANDSHAKE_DEADLINE_MS, head);
  try {
    const hello = decodeHello(await reader.next());
    if (hello.version !== SESSION_VERSION) throw new SessionError('ERR_SESSION', `session version ${hello.version} not spoken here (this node speaks ${SESSION_VERSION})`);
    if (hello.nonce.length !== NONCE_BYTES) throw new SessionError('ERR_SESSION', 'malformed hello');
    const t: Transcript = { schedulerNonce: hello.nonce, nodeNonce: freshNonce(), schedulerName: hello.name, nodeName: name };
    socket.write(encodeFrame(encodeWelcome({ nonce: t.nodeNonce, name, proof: proof(secret, 'node', t) })));
    if (!proofHolds(secret, 'scheduler', t, decodeProof(await reader.next()))) {
      throw new SessionError('ERR_AUTH', 'authentication failed: the scheduler did not prove the cluster key (a different key?)');
    }
    const keys = directionKeys(secret, t);
    const { decoder, pending } = reader.handOver();
    decoder.allow(MAX_AUTHENTICATED_FRAME);
    return new SessionChannel(socket, decoder, { send: keys.toScheduler, receive: keys.toNode }, hello.name, pending, timing);
  } catch (error) {
    return abandon(reader, socket, error, '');
  }
}

/** Ends a handshake that failed: stops reading, closes the socket, rethrows as a SessionError. */
function abandon(reader: HandshakeReader, socket: Socket, error: unknown, context: string): never {
  reader.handOver();
  socket.destroy();
  if (error instanceof SessionError) throw error;
  throw new SessionError('ERR_SESSION', `${context}${describeError(error)}`);
}
