import { exponentialBackoff } from './backoff.js';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeFrame, FrameDecoder, DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { TransportError } from './errors.js';
import type { Address } from './address.js';

/** Timeouts and retry policy of one delivery. */
export interface SendOptions {
  connectTimeoutMs?: number;
  /** Time for writing the frame and, with `expectReply`, reading the answer. */
  ioTimeoutMs?: number;
  /** Extra attempts after the first one fails to connect. */
  retries?: number;
  /** Delay before retry number `attempt` (1-based). */
  backoffMs?: (attempt: number) => number;
  expectReply?: boolean;
  maxFrameBytes?: number;
  signal?: AbortSignal;
}

/** Exponential backoff from 100 ms, doubling, capped at 2 s. */
export const defaultBackoff = exponentialBackoff(100, 2000);

/**
 * Sends one frame on a new connection (the legacy protocol's shape). Retries connection
 * failures with backoff; resolves with the peer's reply frame when `expectReply` is set.
 */
export async function sendFrame(address: Address, payload: Uint8Array, options: SendOptions = {}): Promise<Buffer | undefined> {
  const retries = options.retries ?? 0;
  const backoff = options.backoffMs ?? defaultBackoff;
  for (let attempt = 0; ; attempt++) {
    try {
      return await sendOnce(address, payload, options);
    } catch (error) {
      // Only a failed connection is safe to retry: once the frame is written the peer may act on it.
      const retryable = error instanceof TransportError && error.code !== 'ERR_CLOSED' && !(error as { written?: boolean }).written;
      if (!retryable || attempt >= retries || options.signal?.aborted) throw error;
      await sleep(backoff(attempt + 1), undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
}

function sendOnce(address: Address, payload: Uint8Array, options: SendOptions): Promise<Buffer | undefined> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const ioTimeoutMs = options.ioTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const decoder = new FrameDecoder(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    let connected = false;
    let written = false;
    let reply: Buffer | undefined;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(Object.assign(error, { written }));
      else resolve(reply);
    };
    const fail = (code: 'ERR_CONNECT' | 'ERR_TIMEOUT' | 'ERR_CLOSED', detail: string, cause?: Error): void =>
      finish(new TransportError(code, address, detail, cause ? { cause } : undefined));
    let timer = setTimeout(() => fail('ERR_TIMEOUT', `no connection after ${connectTimeoutMs} ms`), connectTimeoutMs);
    const onAbort = (): void => fail('ERR_CLOSED', 'cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => options.signal?.removeEventListener('abort', onAbort));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      fail(connected ? 'ERR_CLOSED' : 'ERR_CONNECT', connected ? `connection failed: ${error.message}` : `cannot connect: ${error.code ?? error.message}`, error));
    socket.connect(address.port, address.host, () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(() => {
        // A peer that keeps the connection open after reading the frame still got it.
        if (written && !options.expectReply) finish();
        else fail('ERR_TIMEOUT', `no ${written ? 'reply' : 'write completion'} within ${ioTimeoutMs} ms`);
      }, ioTimeoutMs);
      socket.write(encodeFrame(payload), () => {
        written = true;
        if (!options.expectReply) socket.end();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      if (!options.expectReply) return;
      try {
        const frames = decoder.push(chunk);
        if (frames.length > 0) {
          reply = frames[0];
          finish();
        }
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('end', () => {
      if (options.expectReply && reply === undefined) fail('ERR_CLOSED', 'peer closed the connection without a reply');
    });
    socket.on('close', () => {
      if (!options.expectReply && written) finish();
      else if (!settled) fail('ERR_CLOSED', 'connection closed before the frame was sent');
    });
  });
}
