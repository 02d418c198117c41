import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { ListenError } from './errors.js';

/** Where and how a frame server listens. */
export interface ListenOptions {
  host: string;
  port: number;
  /** Connections the kernel queues before accept (capped by net.core.somaxconn); Node's default is 511. */
  backlog?: number;
  /**
   * Listening sockets sharing the port (SO_REUSEPORT; one where the platform lacks it). libuv accepts
   * one connection per listening socket per event-loop turn, so a busy server accepts up to this many.
   */
  listeners?: number;
}

/** Listens on every socket the options ask for; a failure is a ListenError naming the address. */
export async function listenAll(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Server[]> {
  try {
    return await listenSockets(options, onConnection);
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    throw cause.syscall === 'listen' || cause.syscall === 'bind' ? new ListenError({ host: options.host, port: options.port }, cause) : error;
  }
}

async function listenSockets(options: ListenOptions, onConnection: (socket: Socket) => void): Promise<Server[]> {
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
