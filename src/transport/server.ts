import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { FrameDecoder, encodeFrame, DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { ReadTimeoutError } from './errors.js';
import { normaliseHost, type Address } from './address.js';

/** Who sent a frame. */
export interface Peer {
  remoteAddress: string;
  remotePort: number;
}

/** Handles one frame; may return a reply frame payload. Throwing closes only that connection. */
export type FrameHandler = (payload: Buffer, peer: Peer) => Promise<Uint8Array | void> | Uint8Array | void;

/** Limits and callbacks of a frame server. */
export interface FrameServerOptions {
  host: string;
  port: number;
  handler: FrameHandler;
  /** Called for every connection that ends in an error; the server keeps serving. */
  onError: (error: Error, peer: Peer) => void;
  /** Called before reading a connection; return false to close it at once. */
  accept?: (peer: Peer) => boolean;
  maxFrameBytes?: number;
  readTimeoutMs?: number;
  maxConnections?: number;
  /** Connections the kernel queues before accept (capped by net.core.somaxconn); Node's default is 511. */
  backlog?: number;
}

/** A listening frame server. */
export interface FrameServer {
  address: Address;
  close(): Promise<void>;
}

/** Listens for connections that each carry one length-prefixed frame (and get at most one reply). */
export async function startFrameServer(options: FrameServerOptions): Promise<FrameServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, options);
  });
  server.maxConnections = options.maxConnections ?? 256;
  server.listen({ port: options.port, host: options.host, backlog: options.backlog ?? 511 });
  await once(server, 'listening');
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('server has no TCP address');
  return {
    address: { host: bound.address, port: bound.port },
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function serveConnection(socket: Socket, options: FrameServerOptions): void {
  const peer: Peer = { remoteAddress: normaliseHost(socket.remoteAddress ?? ''), remotePort: socket.remotePort ?? 0 };
  if (options.accept && !options.accept(peer)) {
    socket.destroy();
    return;
  }
  const decoder = new FrameDecoder(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  let done = false;
  const fail = (error: Error): void => {
    if (done) return;
    done = true;
    socket.destroy();
    options.onError(error, peer);
  };
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  socket.setTimeout(readTimeoutMs, () => fail(new ReadTimeoutError(decoder.pendingBytes, readTimeoutMs)));
  socket.on('error', fail);
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    let frames: Buffer[];
    try {
      frames = decoder.push(chunk);
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (frames.length === 0) return;
    done = true;
    socket.setTimeout(0);
    socket.pause();
    void handle(socket, frames[0]!, peer, options);
  });
  socket.on('end', () => {
    if (done) return;
    try {
      decoder.end();
      done = true;
      socket.end();
    } catch (error) {
      fail(error as Error);
    }
  });
}

async function handle(socket: Socket, payload: Buffer, peer: Peer, options: FrameServerOptions): Promise<void> {
  try {
    const reply = await options.handler(payload, peer);
    if (reply) socket.end(encodeFrame(reply));
    else socket.end();
  } catch (error) {
    socket.destroy();
    options.onError(error as Error, peer);
  }
}
