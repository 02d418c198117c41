import { FrameTooLargeError, FrameTruncatedError } from './errors.js';

/** Length prefix size: a 4-byte big-endian unsigned integer. */
export const HEADER_BYTES = 4;
/** Default largest frame accepted: 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Prefixes a payload with its 4-byte big-endian length. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/**
 * Incremental decoder for length-prefixed frames: feed it byte chunks as they arrive, in any
 * split, and it returns every frame completed by each chunk. Pure: no sockets, no timers.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  /** An oversize header seen: the stream has no frame boundary after it, so every later call fails. */
  private failure?: FrameTooLargeError;

  constructor(private maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** From the next frame on, frames up to `maxFrameBytes` are taken (e.g. once the peer proved a key). */
  allow(maxFrameBytes: number): void {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds a chunk; returns the frames it completed. Throws FrameTooLargeError on an oversize header;
   * frames completed before that header in the same chunk are returned first, and the error is
   * thrown by the next push() or end(), so that how the stream was split changes nothing.
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failure) throw this.failure;
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.byteLength;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < HEADER_BYTES) break;
        const length = this.take(HEADER_BYTES).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          this.failure = new FrameTooLargeError(length, this.maxFrameBytes);
          if (frames.length > 0) return frames;
          throw this.failure;
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  /** Bytes received towards a frame that is not complete yet (header included). */
  get pendingBytes(): number {
    return this.buffered + (this.expected >= 0 ? HEADER_BYTES : 0);
  }

  /** Call at end of stream: throws FrameTruncatedError if a frame was cut off (FrameTooLargeError after an oversize header). */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.pendingBytes === 0) return;
    const expected = this.expected >= 0 ? this.expected + HEADER_BYTES : HEADER_BYTES;
    throw new FrameTruncatedError(this.pendingBytes, expected);
  }

  private take(count: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const head = Buffer.from(all.subarray(0, count));
    const rest = all.subarray(count);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return head;
  }
}
