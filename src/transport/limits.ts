/**
 * How many connections a frame server holds, for how long and with how many bytes, so that no peer
 * can fill it: the one definition of each connection limit and its default.
 */
export interface ConnectionLimits {
  /** Open connections in all, authenticated ones included. */
  maxConnections: number;
  /**
   * Unauthenticated connections still sending their frame from one source address. Past it, the
   * source's oldest such connection is closed (see connection-table.ts for why not the newest).
   */
  maxPerSource: number;
  /** Places of maxConnections that only authenticated connections (peer.authenticated()) may hold. */
  reservedForAuthenticated: number;
  /** Total time to read one frame from the first byte on (for the first frame: from accept); not an idle timeout. */
  frameDeadlineMs: number;
  /** An unauthenticated connection is closed this long after accept unless it has delivered its frame. */
  unauthenticatedDeadlineMs: number;
  /** Bytes of unfinished frames held across all connections; past it, the oldest holding any is closed. */
  maxBufferedBytes: number;
  /** Age below which a connection is never closed for its source or the server being over a cap (a burst is read first). */
  shedAfterMs: number;
}

/**
 * The defaults. 1,024 connections is what the status port always allowed. 64 per source: a node
 * keeps one status and a scheduler one job in flight per peer, so 64 unfinished frames from one
 * address is an attack or a NAT. An eighth of the places is kept for authenticated sessions
 * (resolveLimits). 10 s per frame carries a 1 MiB frame at 1 Mbit/s; 2 s to authenticate is the
 * issue's figure. 16 MiB of unfinished frames holds eight of the largest control requests at once
 * and bounds what a flood can make the process hold. 500 ms before a connection may be shed for a
 * cap: the benchmark's 1,000 simulated nodes on one address, answering at full speed, write their
 * status up to ~20 ms after connecting; an attack that reopens its connections at once holds its
 * cap plus half a second of connections, and a full server still sheds a settled one at once.
 */
export const DEFAULT_CONNECTION_LIMITS: Omit<ConnectionLimits, 'reservedForAuthenticated'> = {
  maxConnections: 1024,
  maxPerSource: 64,
  frameDeadlineMs: 10_000,
  unauthenticatedDeadlineMs: 2_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  shedAfterMs: 500,
};

/** The limits a server runs with: the given ones over the defaults, an eighth of its places reserved unless told. */
export function resolveLimits(given: Partial<ConnectionLimits>): ConnectionLimits {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...definedOnly(given) };
  const reserved = given.reservedForAuthenticated ?? Math.floor(limits.maxConnections / 8);
  // At least one place stays open to unauthenticated connections: every session starts as one.
  return { ...limits, reservedForAuthenticated: Math.max(0, Math.min(reserved, limits.maxConnections - 1)) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
