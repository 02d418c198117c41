import type { AddressInfo, Socket } from 'node:net';
import { FrameDecoder, encodeFrame, DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { ConnectionLimitError, FrameTooLargeError, ReadTimeoutError } from './errors.js';
import { normaliseHost, type Address } from './address.js';
import { OpenSockets } from './open-sockets.js';
import { listenAll, type ListenOptions } from './listen.js';
import { resolveLimits, type ConnectionLimits } from './limits.js';
import { ConnectionTable, type Entry, type ShedReason } from './connection-table.js';

/** Who sent a frame. */
export interface Peer {
  remoteAddress: string;
  remotePort: number;
  /** The peer proved the key: its connection moves to the places reserved for authenticated ones. */
  authenticated(): void;
}

/** Handles one frame; may return a reply frame payload. Throwing closes only that connection. */
export type FrameHandler = (payload: Buffer, peer: Peer) => Promise<Uint8Array | void> | Uint8Array | void;

/** Limits and callbacks of a frame server; unset limits take DEFAULT_CONNECTION_LIMITS (limits.ts). */
export interface FrameServerOptions extends ListenOptions, Partial<ConnectionLimits> {
  handler: FrameHandler;
  /** Called for every connection that ends in an error or is refused; the server keeps serving. */
  onError: (error: Error, peer: Peer) => void;
  /** Called before reading a connection; return false to close it at once. */
  accept?: (peer: Peer) => boolean;
  maxFrameBytes?: number;
  /** The reply to a frame announced above maxFrameBytes (in the peer's protocol); without it the connection is just closed. */
  refuseOversize?: (error: FrameTooLargeError) => Uint8Array;
  /**
   * When the handler throws, reset the connection (RST) instead of closing it: the legacy protocol
   * has no acknowledgement, so a sender takes a plain close for "delivered" and would not send again.
   */
  resetOnError?: boolean;
  /**
   * Connections that start with `prefix` are not frames: the socket goes to `handle` with what
   * followed the prefix (a node's authenticated sessions share its job port with legacy frames).
   * `handle` owns the connection's deadline from then on; it stays counted as unauthenticated, and
   * may be closed for a cap like a connection still sending a frame, until it calls peer.authenticated().
   */
  divert?: { prefix: Buffer; handle: (socket: Socket, rest: Buffer, peer: Peer) => void };
}

/** A listening frame server. */
export interface FrameServer {
  address: Address;
  /** Stops taking connections; those open (sessions) stay until close(). */
  stopListening(): void;
  close(): Promise<void>;
}

/** Listens for connections that each carry one length-prefixed frame (and get at most one reply). */
export async function startFrameServer(options: FrameServerOptions): Promise<FrameServer> {
  const sockets = new OpenSockets();
  const table = new ConnectionTable(resolveLimits(options));
  const servers = await listenAll(options, (socket) => serveConnection(socket, options, table, sockets));
  const bound = servers[0]!.address() as AddressInfo;
  // Waited for from now: after stopListening() a server may emit 'close' before close() is called.
  const closed = servers.map((server) => new Promise<void>((resolve) => server.once('close', resolve)));
  return {
    address: { host: bound.address, port: bound.port },
    stopListening() {
      // net.Server.close() stops listening at once and leaves open connections alone.
      for (const server of servers) server.close();
    },
    async close() {
      for (const server of servers) server.close();
      sockets.destroyAll();
      await Promise.all(closed);
    },
  };
}

function serveConnection(socket: Socket, options: FrameServerOptions, table: ConnectionTable, sockets: OpenSockets): void {
  let entry: Entry | undefined;
  const peer: Peer = {
    remoteAddress: normaliseHost(socket.remoteAddress ?? ''),
    remotePort: socket.remotePort ?? 0,
    authenticated: () => entry && table.authenticate(entry),
  };
  if (options.accept && !options.accept(peer)) return void socket.destroy();
  // One limit over every listening socket (Server.maxConnections would count each on its own).
  entry = table.admit(peer.remoteAddress);
  if (!entry) {
    socket.destroy();
    options.onError(new ConnectionLimitError('full', `refused: ${table.limits.maxConnections} connections open, none of them still sending a frame for a whole turn`), peer);
    return;
  }
  sockets.add(socket);
  const admitted = entry;
  socket.once('close', () => table.closed(admitted));
  readFrame(socket, peer, admitted, options, table);
}

/** Reads one frame within the deadline and hands it to the handler. */
function readFrame(socket: Socket, peer: Peer, entry: Entry, options: FrameServerOptions, table: ConnectionTable): void {
  const { limits } = table;
  const decoder = new FrameDecoder(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  let done = false;
  const fail = (error: Error, reset = false): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    table.doneReading(entry);
    if (reset) socket.resetAndDestroy();
    else socket.destroy();
    options.onError(error, peer);
  };
  // A total deadline, not an idle one: a byte every few seconds must not hold a place for ever.
  const deadlineMs = Math.min(limits.frameDeadlineMs, limits.unauthenticatedDeadlineMs);
  const timer = setTimeout(() => (done ? socket.destroy() : fail(new ReadTimeoutError(decoder.pendingBytes, deadlineMs))), deadlineMs);
  socket.once('close', () => clearTimeout(timer));
  // Shed with a reset, never a plain close: a sender that expects no reply (a legacy status) would
  // take a FIN for "saved" and never send again.
  entry.shed = (reason) => fail(shedError(reason, entry, limits), true);
  let sniffed = options.divert ? Buffer.alloc(0) : undefined;
  const onData = (data: Buffer): void => {
    if (done) return; // after a refusal: what the peer still sends is read and dropped
    let chunk = data;
    if (sniffed && options.divert) {
      const { prefix } = options.divert;
      sniffed = Buffer.concat([sniffed, chunk]);
      const seen = sniffed.subarray(0, prefix.length);
      if (sniffed.length < prefix.length && prefix.subarray(0, seen.length).equals(seen)) return;
      chunk = sniffed;
      sniffed = undefined;
      if (seen.equals(prefix)) {
        done = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        socket.off('end', onEnd);
        // Still in the table as a connection that has not authenticated: a cap may close it.
        entry.shed = (reason) => {
          socket.destroy();
          options.onError(shedError(reason, entry, limits), peer);
        };
        return options.divert.handle(socket, chunk.subarray(prefix.length), peer);
      }
    }
    let frames: Buffer[];
    try {
      frames = decoder.push(chunk);
    } catch (error) {
      if (error instanceof FrameTooLargeError && options.refuseOversize) return refuse(error);
      return fail(error as Error);
    }
    if (frames.length === 0) return table.buffer(entry, decoder.pendingBytes);
    done = true;
    clearTimeout(timer);
    table.doneReading(entry);
    socket.pause();
    void handle(socket, frames[0]!, peer, options);
  };
  const onEnd = (): void => {
    if (done) return;
    try {
      decoder.end();
      done = true;
      clearTimeout(timer);
      table.doneReading(entry);
      socket.end();
    } catch (error) {
      fail(error as Error);
    }
  };
  socket.on('error', fail);
  socket.on('data', onData);
  socket.on('end', onEnd);
  // The reply goes out, then the rest of the oversize frame is read and dropped until the peer
  // closes or the deadline passes: closing at once would reset the connection before the reply.
  const refuse = (error: FrameTooLargeError): void => {
    done = true;
    table.doneReading(entry);
    socket.end(encodeFrame(options.refuseOversize!(error)));
    options.onError(error, peer);
  };
}

function shedError(reason: ShedReason, entry: Entry, limits: ConnectionLimits): ConnectionLimitError {
  const age = `open ${Date.now() - entry.acceptedAt} ms`;
  const detail = {
    source: `more than ${limits.maxPerSource} connections from ${entry.source} still sending a frame; this was the oldest (${age})`,
    unauthenticated: `more than ${limits.maxConnections - limits.reservedForAuthenticated} unauthenticated connections open; this was the oldest still sending a frame (${age})`,
    full: `${limits.maxConnections} connections open and another came; this was the oldest still sending a frame (${age})`,
    buffer: `unfinished frames held more than ${limits.maxBufferedBytes} bytes; this was the oldest holding any (${age})`,
  }[reason];
  return new ConnectionLimitError(reason, `closed: ${detail}`);
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
