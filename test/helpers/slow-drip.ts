import { connect, type Socket } from 'node:net';

/** How a SlowDrip attacks a port. */
export interface SlowDripOptions {
  port: number;
  host?: string;
  /** Source address of every connection (127.0.0.2 makes a second source on loopback). */
  localAddress?: string;
  count: number;
  /** Frame length each connection announces; default 1 MiB. */
  announceBytes?: number;
  /** Bytes each connection sends right after the header (then it drips); default 0. */
  bodyBytes?: number;
  /** One byte per connection this often; default 4 s. */
  dripEveryMs?: number;
  /** Opens a connection again this long after the server closed it; default: never. */
  reconnectAfterMs?: number;
  /** Connections opened at once; default 100. */
  batch?: number;
}

/**
 * The attack of issue 10 on loopback only: connections that announce a large frame and send a
 * byte every few seconds, held (reopened when the server closes them) until stop().
 */
export class SlowDrip {
  /** Connections opened, reopenings included. */
  opened = 0;
  /** Connections the server closed. */
  closedByServer = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private dripTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly body: Buffer;

  constructor(private readonly options: SlowDripOptions) {
    if (!(options.host ?? '127.0.0.1').startsWith('127.')) throw new Error('SlowDrip attacks loopback only');
    this.body = Buffer.alloc(options.bodyBytes ?? 0, 0x41);
  }

  /** Connections open now. */
  get open(): number {
    return this.sockets.size;
  }

  /** Opens `count` connections in batches and starts dripping; resolves once each was opened once. */
  async start(): Promise<void> {
    const batch = this.options.batch ?? 100;
    for (let done = 0; done < this.options.count && !this.stopped; done += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, this.options.count - done) }, () => this.connectOne()));
    }
    this.dripTimer = setInterval(() => {
      for (const socket of this.sockets) if (socket.writable) socket.write(Buffer.from([0x42]));
    }, this.options.dripEveryMs ?? 4000);
  }

  /** Closes every connection and stops reopening them. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.dripTimer);
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private connectOne(): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect({ port: this.options.port, host: this.options.host ?? '127.0.0.1', localAddress: this.options.localAddress });
      this.opened += 1;
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      socket.once('connect', () => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(this.options.announceBytes ?? 1024 * 1024);
        socket.write(header);
        if (this.body.length > 0) socket.write(this.body);
        resolve();
      });
      socket.once('close', () => {
        resolve();
        this.sockets.delete(socket);
        if (this.stopped) return;
        this.closedByServer += 1;
        if (this.options.reconnectAfterMs === undefined) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.stopped) void this.connectOne();
        }, this.options.reconnectAfterMs);
        this.timers.add(timer);
      });
    });
  }
}
