import { EventEmitter } from 'node:events';
import type { KeyObject } from 'node:crypto';
import type { Socket } from 'node:net';
import { encodeFrame, type FrameDecoder } from '../transport/framing.js';
import { decodeSessionFrame, encodeSessionFrame, type ReceivedMessage, type SessionMessage } from '../protocol/session-messages.js';
import { describeError } from '../errors.js';
import { frameTag, tagHolds, TAG_BYTES } from './crypto.js';

/** Heartbeat period and the silence that ends a session: a silent peer is known within 3 s. */
export const SESSION_TIMING = { heartbeatMs: 1000, silenceMs: 3000 } as const;

/** The keys of one side: for the frames it sends, and for those it receives. */
export interface ChannelKeys {
  send: KeyObject;
  receive: KeyObject;
}

/**
 * An established session: sends and receives tagged, numbered frames over one socket, keeps it
 * alive with heartbeats, and ends it on the first bad tag, out-of-order frame or 3 s of silence.
 * Events: 'message' (ReceivedMessage, heartbeats excluded), 'closed' (reason), once.
 */
export class SessionChannel extends EventEmitter<{ message: [ReceivedMessage]; closed: [string] }> {
  private sent = 0;
  private received = 0;
  private lastHeard = Date.now();
  private readonly timer: NodeJS.Timeout;
  private ended?: string;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    private readonly keys: ChannelKeys,
    /** The peer's name, as it proved it in the handshake. */
    readonly peerName: string,
    private readonly pending: Buffer[] = [],
    private readonly timing: { heartbeatMs: number; silenceMs: number } = SESSION_TIMING,
  ) {
    super();
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on('error', (error) => this.close(`connection error: ${describeError(error)}`));
    socket.on('close', () => this.close('connection closed by the peer'));
    this.timer = setInterval(() => this.tick(), Math.min(timing.heartbeatMs, timing.silenceMs / 3));
    this.timer.unref();
  }

  /**
   * Starts reading: call it once the listeners are attached. Frames that came in with the
   * handshake's last chunk are handled first; the socket was paused until now, so none is lost.
   */
  start(): this {
    this.lastHeard = Date.now();
    for (const frame of this.pending.splice(0)) if (!this.ended) this.frame(frame);
    this.socket.on('data', (chunk: Buffer) => this.data(chunk));
    this.socket.resume();
    return this;
  }

  /** True until the session ended. */
  get open(): boolean {
    return this.ended === undefined;
  }

  /** Why the session ended, once it has. */
  get endReason(): string | undefined {
    return this.ended;
  }

  /** Sends one message; false when the session has ended (nothing was sent). */
  send(message: SessionMessage): boolean {
    if (this.ended) return false;
    const seq = ++this.sent;
    const body = encodeSessionFrame(seq, message);
    const payload = Buffer.concat([body, frameTag(this.keys.send, seq, body)]);
    // The frames of one go leave in one write at the end of it: a write costs the sender more than
    // tagging a frame does. The end of a go is once the promise reactions it set off have run (a
    // tick queued from a microtask runs after them), so the scheduler's next job for a node and
    // its acknowledgements of that node's statuses (sent once they are saved) share a write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      queueMicrotask(() => process.nextTick(() => this.uncork()));
    }
    this.socket.write(encodeFrame(payload));
    return true;
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** Ends the session (once); 'closed' tells listeners why. */
  close(reason: string): void {
    if (this.ended) return;
    this.ended = reason;
    clearInterval(this.timer);
    // What was sent before closing is written, as it was before frames were gathered.
    this.uncork();
    this.socket.destroy();
    this.emit('closed', reason);
  }

  private tick(): void {
    if (this.ended) return;
    if (Date.now() - this.lastHeard > this.timing.silenceMs) return this.close(`no frame for ${this.timing.silenceMs / 1000} s`);
    this.send({ kind: 'heartbeat' });
  }

  private data(chunk: Buffer): void {
    if (this.ended) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      return this.close(describeError(error));
    }
    for (const frame of frames) {
      if (this.ended) return;
      this.frame(frame);
    }
  }

  private frame(payload: Buffer): void {
    this.lastHeard = Date.now();
    const seq = this.received + 1;
    if (payload.length < TAG_BYTES) return this.close('frame shorter than its tag');
    const body = payload.subarray(0, payload.length - TAG_BYTES);
    if (!tagHolds(this.keys.receive, seq, body, payload.subarray(payload.length - TAG_BYTES))) {
      return this.close(`frame ${seq}: bad tag (tampered, replayed or out of order)`);
    }
    let decoded: ReturnType<typeof decodeSessionFrame>;
    try {
      decoded = decodeSessionFrame(body);
    } catch (error) {
      return this.close(describeError(error));
    }
    if (decoded.seq !== seq) return this.close(`frame numbered ${decoded.seq} where ${seq} was due`);
    this.received = seq;
    if (decoded.message.kind !== 'heartbeat') this.emit('message', decoded.message);
  }
}
