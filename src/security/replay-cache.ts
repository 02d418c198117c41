/** What ReplayCache.record() found: a nonce not seen in the window, one seen, or no room to remember it. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

/**
 * The nonces seen in the last `windowMs`, at most `maxEntries` of them. Pure: the time comes in.
 * Entries expire in the order they were recorded, so expired ones sit at the front of the map; if
 * the clock steps back, some are kept longer than the window, never shorter.
 */
export class ReplayCache {
  private readonly expiries = new Map<string, number>();

  constructor(readonly windowMs: number, readonly maxEntries: number) {}

  /** Remembers `nonce` as seen at `nowMs`, unless it was seen in the window or there is no room. */
  record(nonce: Uint8Array, nowMs: number): ReplayVerdict {
    this.forget(nowMs);
    const id = Buffer.from(nonce.buffer, nonce.byteOffset, nonce.byteLength).toString('hex');
    if (this.expiries.has(id)) return 'replayed';
    if (this.expiries.size >= this.maxEntries) return 'full';
    this.expiries.set(id, nowMs + this.windowMs);
    return 'fresh';
  }

  /** Nonces remembered now. */
  get size(): number {
    return this.expiries.size;
  }

  private forget(nowMs: number): void {
    for (const [id, expiry] of this.expiries) {
      if (expiry > nowMs) return;
      this.expiries.delete(id);
    }
  }
}
