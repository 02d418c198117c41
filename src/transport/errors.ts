import { PktgenError } from '../errors.js';
import { formatAddress, type Address } from './address.js';

/** Could not deliver a frame to a peer (refused, unreachable, timed out). */
export class TransportError extends PktgenError {
  constructor(
    code: 'ERR_CONNECT' | 'ERR_TIMEOUT' | 'ERR_CLOSED',
    readonly address: Address,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(code, `${formatAddress(address)}: ${detail}`, options);
  }
}

/** A frame announced a length above the receiver's limit. */
export class FrameTooLargeError extends PktgenError {
  constructor(readonly length: number, readonly maxBytes: number) {
    super('ERR_FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${maxBytes} bytes`);
  }
}

/** The connection ended before a whole frame arrived. */
export class FrameTruncatedError extends PktgenError {
  constructor(readonly received: number, readonly expected: number) {
    super('ERR_FRAME_TRUNCATED', `connection closed after ${received} of ${expected} frame bytes`);
  }
}

/** A connection did not deliver a whole frame within its deadline (total time, not idle time). */
export class ReadTimeoutError extends PktgenError {
  constructor(readonly received: number, readonly timeoutMs: number) {
    super('ERR_READ_TIMEOUT', `no complete frame within ${timeoutMs} ms (${received} bytes received)`);
  }
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'the port is taken (another pktgen?); pick another port',
  EACCES: 'not permitted (ports below 1024 need privileges); pick another port',
  EADDRNOTAVAIL: 'no interface of this machine has that address',
};

/** A server could not listen: says where, why, and what to try. */
export class ListenError extends PktgenError {
  constructor(readonly address: Address, cause: NodeJS.ErrnoException) {
    const code = cause.code ?? 'ERROR';
    super('ERR_LISTEN', `cannot listen on ${formatAddress(address)}: ${code}, ${LISTEN_HINTS[code] ?? cause.message}`, { cause });
  }
}

/** A connection a server closed, or would not take, to keep within its connection limits. */
export class ConnectionLimitError extends PktgenError {
  constructor(readonly limit: 'source' | 'unauthenticated' | 'full' | 'buffer', detail: string) {
    super('ERR_CONNECTION_LIMIT', detail);
  }
}
