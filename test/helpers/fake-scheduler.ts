import { decodeStatus, type Status } from '../../src/protocol/messages.js';
import { startFrameServer, type FrameServer } from '../../src/transport/server.js';

/** A status as a scheduler saw it: decoded, raw payload bytes, and the sender's address. */
export interface ReceivedStatus extends Status {
  raw: string;
  from: string;
}

/** A stand-in scheduler: listens for statuses on loopback and records them in arrival order. */
export class FakeScheduler {
  readonly statuses: ReceivedStatus[] = [];
  /** PROGRESS reports are dropped unless this is set. */
  keepProgress = false;
  private server?: FrameServer;
  private waiters: Array<() => void> = [];

  /** Starts listening (port 0 picks a free port). */
  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = await startFrameServer({
      host, port,
      handler: (payload, peer) => {
        const status = decodeStatus(payload);
        if (status.type === 'PROGRESS' && !this.keepProgress) return;
        this.statuses.push({ ...status, raw: payload.toString('hex'), from: peer.remoteAddress });
        for (const wake of this.waiters.splice(0)) wake();
      },
      onError: () => undefined,
    });
    return this.server.address.port;
  }

  get port(): number {
    if (!this.server) throw new Error('fake scheduler not started');
    return this.server.address.port;
  }

  /** Resolves once `count` statuses arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedStatus[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.statuses.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} statuses, got ${this.statuses.length}: ${this.types().join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.statuses.slice(0, count);
  }

  types(): string[] {
    return this.statuses.map((s) => s.type);
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
