import type { Socket } from 'node:net';

/**
 * The open connections of a server, in numbered slots, for its connection limit and its close().
 *
 * Not a Set: a Set that churns through short-lived sockets leaves V8 its discarded hash tables, and a
 * discarded table that reached the old generation keeps every socket it held, and the next table,
 * alive through each young-generation GC. At 5,000 jobs/s that promoted ~12 MB of dead sockets per
 * scavenge and made each scavenge take 15 ms (bench/scheduler.ts); slots keep no dead socket.
 */
export class OpenSockets {
  private readonly slots: Array<Socket | undefined> = [];
  private readonly free: number[] = [];
  private count = 0;

  /** Sockets open now. */
  get size(): number {
    return this.count;
  }

  /** Holds `socket` until it closes. */
  add(socket: Socket): void {
    const slot = this.free.pop() ?? this.slots.length;
    this.slots[slot] = socket;
    this.count += 1;
    socket.once('close', () => {
      this.slots[slot] = undefined;
      this.free.push(slot);
      this.count -= 1;
    });
  }

  /** Destroys every open socket. */
  destroyAll(): void {
    for (const socket of this.slots) socket?.destroy();
  }
}
