import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { FrameDecoder, encodeFrame, DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { ReadTimeoutError, ListenError } from './errors.js';
import { normaliseHost, type Address } from './address.js';
import { OpenSockets } from './open-sockets.js';

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
  /**
   * Listening sockets sharing the port (SO_REUSEPORT; one where the platform lacks it). libuv accepts
   * one connection per listening socket per event-loop turn, so a busy server accepts up to this many.
   */
  listeners?: number;
  /**
   * When the handler throws, reset the connection (RST) instead of closing it: the legacy protocol
   * has no acknowledgement, so a sender takes a plain close for "delivered" and would not send again.
   */
  resetOnError?: boolean;
  /**
   * Connections that start with `prefix` are not frames: the socket goes to `handle` with what
   * followed the prefix (a node's authenticated sessions share its job port with legacy frames).
   */
  divert?: { prefix: Buffer; handle: (socket: Socket, rest: Buffer, peer: Peer) => void };
}

/** A listening frame server. */
export interface FrameServer {
  address: Address;
  close(): Promise<void>;
}

/** Listens for connections that each carry one length-prefixed frame (and get at most one reply). */
export async function startFrameServer(options: FrameServerOptions): Promise<FrameServer> {
  const sockets = new OpenSockets();
  const maxConnections = options.maxConnections ?? 256;
  const servers = await listenAll(options, (socket) => {
    // One limit over every listening socket (Server.maxConnections would count each on its own).
    if (sockets.size >= maxConnections) return void socket.destroy();
    sockets.add(socket);
    serveConnection(socket, options);
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.syscall === 'listen' || error.syscall === 'bind' ? new ListenError({ host: options.host, port: options.port }, error) : error;
  });
  const bound = servers[0]!.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    async close() {
      const closed = servers.map((server) => once(server, 'close'));
      for (const server of servers) server.close();
      sockets.destroyAll();
      await Promise.all(closed);
    },
  };
}

async function listenAll(options: FrameServerOptions, onConnection: (socket: Socket) => void): Promise<Server[]> {
  const listen = async (port: number, reusePort: boolean): Promise<Server> => {
    const server = createServer(onConnection);
    server.listen({ port, host: options.host, backlog: options.backlog ?? 511, reusePort });
    await once(server, 'listening');
    return server;
  };
  const count = options.listeners ?? 1;
  if (count <= 1) return [await listen(options.port, false)];
  if (options.port !== 0) {
    // SO_REUSEPORT would let a second server of this user share a port that is taken: bind it
    // alone first, so that one still fails with EADDRINUSE (and then cannot join ours either).
    const probe = await listen(options.port, false);
    await new Promise((resolve) => probe.close(resolve));
  }
  const servers: Server[] = [];
  try {
    servers.push(await listen(options.port, true));
    const { port } = servers[0]!.address() as AddressInfo;
    while (servers.length < count) servers.push(await listen(port, true));
    return servers;
  } catch (error) {
    for (const server of servers) server.close();
    if (servers.length === 0 && (error as NodeJS.ErrnoException).code === 'ENOTSUP') return [await listen(options.port, false)];
    throw error;
  }
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
  let sniffed = options.divert ? Buffer.alloc(0) : undefined;
  const onData = (data: Buffer): void => {
    if (done) return;
    let chunk = data;
    if (sniffed && options.divert) {
      const { prefix, handle } = options.divert;
      sniffed = Buffer.concat([sniffed, chunk]);
      const seen = sniffed.subarray(0, prefix.length);
      if (sniffed.length < prefix.length && prefix.subarray(0, seen.length).equals(seen)) return;
      chunk = sniffed;
      sniffed = undefined;
      if (seen.equals(prefix)) {
        done = true;
        socket.setTimeout(0);
        socket.off('data', onData);
        socket.off('error', fail);
        socket.off('end', onEnd);
        return handle(socket, chunk.subarray(prefix.length), peer);
      }
    }
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
  };
  const onEnd = (): void => {
    if (done) return;
    try {
      decoder.end();
      done = true;
      socket.end();
    } catch (error) {
      fail(error as Error);
    }
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
}

async function handle(socket: Socket, payload: Buffer, peer: Peer, options: FrameServerOptions): Promise<void> {
  try {
    const reply = await options.handler(payload, peer);
    if (reply) socket.end(encodeFrame(reply));
    else socket.end();
  } catch (error) {
    if (options.resetOnError) socket.resetAndDestroy();
    else socket.destroy();
    options.onError(error as Error, peer);
  }
}
