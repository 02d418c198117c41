import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { describeError } from '../errors.js';
import type { Address } from '../transport/address.js';
import { ListenError } from '../transport/errors.js';

/**
 * Bounds of the /metrics listener, so that it is no new way into the daemon: headers small and
 * quick, few connections, nothing but a bodiless GET (or HEAD) of /metrics answered.
 */
export const METRICS_LIMITS = {
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 32,
  maxRequestsPerSocket: 100,
} as const;

/** The path Prometheus scrapes by default. */
const METRICS_PATH = '/metrics';

/** A running /metrics listener. */
export interface MetricsEndpoint {
  /** Where it listens, as bound. */
  address: Address;
  close(): Promise<void>;
}

/** Serves `registry` at http://ADDRESS/metrics until closed; a failed scrape is logged and answered 500. */
export async function startMetricsEndpoint(registry: Registry, listen: Address, log: Logger): Promise<MetricsEndpoint> {
  const server: Server = createServer({
    maxHeaderSize: METRICS_LIMITS.maxHeaderBytes,
    headersTimeout: METRICS_LIMITS.headersTimeoutMs,
    requestTimeout: METRICS_LIMITS.requestTimeoutMs,
    keepAliveTimeout: METRICS_LIMITS.keepAliveTimeoutMs,
    // The two timeouts above are checked this often (Node's default, 30 s, would let a slow client sit that long).
    connectionsCheckingInterval: 1_000,
  }, (request, response) => void answer(registry, request, response, log));
  server.maxConnections = METRICS_LIMITS.maxConnections;
  server.maxRequestsPerSocket = METRICS_LIMITS.maxRequestsPerSocket;
  server.listen(listen.port, listen.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    throw cause.syscall === 'listen' || cause.syscall === 'bind' ? new ListenError(listen, cause) : error;
  }
  const bound = server.address();
  const address = typeof bound === 'object' && bound ? { host: bound.address, port: bound.port } : listen;
  return {
    address,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function answer(registry: Registry, request: IncomingMessage, response: ServerResponse, log: Logger): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  // A body is never read: the connection closes after the answer rather than parse what follows.
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (hasBody) return plain(response, 400, 'a request with a body: only GET /metrics is served\n', true);
  if (path !== METRICS_PATH) return plain(response, 404, `not found: only GET ${METRICS_PATH} is served\n`);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return plain(response, 405, `method ${request.method} not allowed: only GET ${METRICS_PATH}\n`);
  }
  try {
    const text = await registry.metrics();
    response.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : text);
  } catch (error) {
    log.error(`/metrics: could not collect the metrics: ${describeError(error)}`);
    plain(response, 500, 'could not collect the metrics; the daemon log says why\n');
  }
}

function plain(response: ServerResponse, status: number, text: string, close = false): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...(close ? { Connection: 'close' } : {}) });
  response.end(text);
}
