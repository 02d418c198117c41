import type { ConnectionLimits } from './limits.js';

/** Which limit made the table close a connection. */
export type ShedReason = 'source' | 'unauthenticated' | 'full' | 'buffer';

/** One connection as the table counts it, from admission to close. */
export class Entry {
  /** Neighbours in the list of unauthenticated connections still sending a frame, oldest first. */
  older?: Entry;
  newer?: Entry;
  reading = true;
  authenticated = false;
  gone = false;
  /** Bytes of an unfinished frame held for it. */
  buffered = 0;
  /** Closes the connection when the table sheds it (set by the server). */
  shed?: (reason: ShedReason) => void;

  constructor(readonly source: string, readonly turn: number, readonly acceptedAt: number) {}
}

/**
 * The counting behind a frame server's connection limits. Without sockets: the server admits,
 * reports progress and closes; the table says whom to close, through each entry's `shed`.
 *
 * When a source (or the server) holds too many connections that are still sending a frame, the
 * table closes the OLDEST of them, not the new one: every connection from one host shares its
 * source address (on loopback, the scheduler, its nodes and an attacker all do), and refusing the
 * newest would let a host that holds slow connections lock out its own legitimate peers, whose
 * frames arrive at once. A connection is only closed that way once it has settled, that is had a
 * whole event-loop turn to be read (two check phases after its accept): a connection whose frame
 * was waiting in the kernel is read first. For the per-source and unauthenticated caps it must
 * also be shedAfterMs old; only a full server (maxConnections) closes a settled one at once.
 */
export class ConnectionTable {
  private oldest?: Entry;
  private newest?: Entry;
  private readonly readingBySource = new Map<string, number>();
  private overSources = 0;
  private open = 0;
  private unauthenticated = 0;
  private bufferedBytes = 0;
  private turn = 0;
  private lastAdmitTurn = 0;
  private ticking = false;
  private timer?: NodeJS.Timeout;

  constructor(readonly limits: ConnectionLimits, private readonly clock: () => number = Date.now) {}

  /** Counts a new connection; closes the oldest reading one when the server is full, or returns undefined to refuse it. */
  admit(source: string): Entry | undefined {
    if (this.open >= this.limits.maxConnections) {
      const victim = this.findOldest(() => true);
      if (!victim) return undefined;
      this.drop(victim, 'full');
    }
    const entry = new Entry(source, this.turn, this.clock());
    this.open += 1;
    this.unauthenticated += 1;
    const count = (this.readingBySource.get(source) ?? 0) + 1;
    this.readingBySource.set(source, count);
    if (count === this.limits.maxPerSource + 1) this.overSources += 1;
    this.link(entry);
    this.lastAdmitTurn = this.turn;
    this.tick();
    return entry;
  }

  /** The connection delivered its frame (or stopped reading for another reason): it can no longer be shed. */
  doneReading(entry: Entry): void {
    if (!entry.reading) return;
    entry.reading = false;
    this.bufferedBytes -= entry.buffered;
    entry.buffered = 0;
    if (entry.authenticated) return;
    this.unlink(entry);
    const count = this.readingBySource.get(entry.source)! - 1;
    if (count === this.limits.maxPerSource) this.overSources -= 1;
    if (count === 0) this.readingBySource.delete(entry.source);
    else this.readingBySource.set(entry.source, count);
  }

  /** The connection proved the key: it moves to the reserved places and is never shed. */
  authenticate(entry: Entry): void {
    if (entry.authenticated || entry.gone) return;
    const { reading, buffered } = entry;
    this.doneReading(entry);
    entry.authenticated = true;
    entry.reading = reading;
    entry.buffered = buffered;
    this.bufferedBytes += buffered;
    this.unauthenticated -= 1;
  }

  /** The connection now holds `bytes` of an unfinished frame; past the budget, the oldest holders are closed. */
  buffer(entry: Entry, bytes: number): void {
    if (!entry.reading) return;
    this.bufferedBytes += bytes - entry.buffered;
    entry.buffered = bytes;
    while (this.bufferedBytes > this.limits.maxBufferedBytes) {
      // An authenticated connection is not in the list: only this one can be it.
      // Memory is a hard bound: the oldest holder goes, settled or not.
      const victim = this.findOldest((e) => e.buffered > 0, false) ?? entry;
      this.drop(victim, 'buffer');
      if (victim === entry) return;
    }
  }

  /** The connection closed (or was shed): uncounts it; safe to call twice. */
  closed(entry: Entry): void {
    if (entry.gone) return;
    this.doneReading(entry);
    entry.gone = true;
    this.open -= 1;
    if (!entry.authenticated) this.unauthenticated -= 1;
  }

  /** Bytes of unfinished frames held now. */
  get heldBytes(): number {
    return this.bufferedBytes;
  }

  private drop(entry: Entry, reason: ShedReason): void {
    this.closed(entry);
    entry.shed?.(reason);
  }

  private get unauthenticatedCap(): number {
    return this.limits.maxConnections - this.limits.reservedForAuthenticated;
  }

  private overCaps(): boolean {
    return this.overSources > 0 || this.unauthenticated > this.unauthenticatedCap;
  }

  /**
   * Counts event-loop turns (in the check phase, after the turn's reads) until the newest connection
   * has settled, enforcing the caps at each. Then it stops: what is over a cap by then is not
   * sheddable (connections past reading) and the next admission starts it again.
   */
  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    setImmediate(() => {
      this.ticking = false;
      this.turn += 1;
      this.enforce();
      if (this.turn < this.lastAdmitTurn + 2) this.tick();
    });
  }

  /**
   * Closes, oldest first, connections of sources over their cap, then while the server is over its
   * cap; only connections that have settled and are shedAfterMs old, so that a legitimate burst
   * from one address (a thousand nodes behind one NAT, or on loopback) is read, not cut.
   */
  private enforce(): void {
    const now = this.clock();
    for (let entry = this.oldest; entry && this.overCaps() && this.settled(entry); ) {
      const waitMs = entry.acceptedAt + this.limits.shedAfterMs - now;
      // Every later entry is younger still: look again once this one is old enough.
      if (waitMs > 0) return this.enforceIn(waitMs);
      const next = entry.newer;
      if ((this.readingBySource.get(entry.source) ?? 0) > this.limits.maxPerSource) this.drop(entry, 'source');
      else if (this.unauthenticated > this.unauthenticatedCap) this.drop(entry, 'unauthenticated');
      entry = next;
    }
  }

  private enforceIn(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enforce();
    }, ms).unref();
  }

  /** True once the connection has had a whole turn to be read. */
  private settled(entry: Entry): boolean {
    return entry.turn <= this.turn - 2;
  }

  private findOldest(match: (entry: Entry) => boolean, settledOnly = true): Entry | undefined {
    for (let entry = this.oldest; entry && (!settledOnly || this.settled(entry)); entry = entry.newer) if (match(entry)) return entry;
    return undefined;
  }

  private link(entry: Entry): void {
    entry.older = this.newest;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = undefined;
  }
}
