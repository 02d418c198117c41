import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { encodeFrame, startFrameServer, sendFrame, TransportError, ListenError, type FrameServer } from '../../src/transport/index.js';
import { until } from '../helpers/until.js';

/** Writes raw bytes on a fresh connection and waits until the server closes it. */
async function sendRaw(port: number, chunks: Buffer[], gapMs = 0): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  for (const chunk of chunks) {
    socket.write(chunk);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  socket.on('error', () => undefined);
  socket.resume();
  await closed;
}

describe('transport: client and server on loopback', () => {
  let server: FrameServer;
  const received: Buffer[] = [];
  const errors: string[] = [];

  beforeEach(async () => {
    received.length = 0;
    errors.length = 0;
    server = await startFrameServer({
      host: '127.0.0.1', port: 0, maxFrameBytes: 1024, frameDeadlineMs: 300,
      handler: (payload) => {
        received.push(payload);
        return payload.toString() === 'ping' ? Buffer.from('pong') : undefined;
      },
      onError: (error) => errors.push((error as { code?: string }).code ?? error.message),
    });
  });
  afterEach(() => server.close());

  it('delivers one frame per connection', async () => {
    await sendFrame(server.address, Buffer.from('hello'));
    await sendFrame(server.address, Buffer.alloc(0));
    assert.deepEqual(received.map(String), ['hello', '']);
  });

  it('returns the reply frame of a request', async () => {
    const reply = await sendFrame(server.address, Buffer.from('ping'), { expectReply: true });
    assert.equal(reply?.toString(), 'pong');
  });

  it('reassembles a frame split over many writes', async () => {
    const frame = Buffer.from('0000000568656c6c6f', 'hex');
    await sendRaw(server.address.port, [...frame].map((b) => Buffer.from([b])), 2);
    assert.deepEqual(received.map(String), ['hello']);
  });

  it('closes an oversize, truncated or silent connection and keeps serving', async () => {
    await sendRaw(server.address.port, [Buffer.from('00100000', 'hex')]);
    await sendRaw(server.address.port, [Buffer.from('0000000a01', 'hex')]);
    await new Promise((r) => setTimeout(r, 20));
    const socket = connect(server.address.port, '127.0.0.1');
    socket.write(Buffer.from('00', 'hex'));
    await once(socket, 'close');
    // a half-sent frame followed by a clean close: truncated
    const half = connect(server.address.port, '127.0.0.1');
    await once(half, 'connect');
    half.end(Buffer.from('0000000a01', 'hex'));
    await once(half, 'close');
    await sendFrame(server.address, Buffer.from('still here'));
    assert.deepEqual(received.map(String), ['still here']);
    assert.ok(errors.includes('ERR_FRAME_TOO_LARGE'), errors.join());
    assert.ok(errors.includes('ERR_READ_TIMEOUT'), errors.join());
    assert.ok(errors.includes('ERR_FRAME_TRUNCATED'), errors.join());
  });

  it('fails with ERR_CONNECT naming the address when nobody listens', async () => {
    const port = server.address.port;
    await server.close();
    await assert.rejects(sendFrame({ host: '127.0.0.1', port }, Buffer.from('x'), { retries: 2, backoffMs: () => 10 }),
      (error: unknown) => error instanceof TransportError && error.code === 'ERR_CONNECT' && error.message.includes(`127.0.0.1:${port}`));
    server = await startFrameServer({ host: '127.0.0.1', port: 0, handler: () => undefined, onError: () => undefined });
  });

  it('retries until a late server comes up', async () => {
    const port = server.address.port;
    await server.close();
    const late: Buffer[] = [];
    setTimeout(() => {
      void startFrameServer({ host: '127.0.0.1', port, handler: (p) => { late.push(p); }, onError: () => undefined }).then((s) => { server = s; });
    }, 150);
    await sendFrame({ host: '127.0.0.1', port }, Buffer.from('late'), { retries: 20, backoffMs: () => 50 });
    assert.deepEqual(late.map(String), ['late']);
  });
});

describe('transport: open connections', () => {
  it('serves at most maxConnections at once, and takes new ones once a place is free', async () => {
    const got: string[] = [];
    const holding: Array<() => void> = [];
    const server = await startFrameServer({
      host: '127.0.0.1', port: 0, maxConnections: 2, onError: () => undefined,
      handler: (payload) => {
        got.push(payload.toString());
        // 'hold' keeps its connection open until released.
        if (payload.toString().startsWith('hold')) return new Promise<void>((resolve) => holding.push(resolve));
      },
    });
    try {
      // Senders that do not half-close, so their connections stay open while the handler runs.
      const held = await Promise.all(['hold 1', 'hold 2'].map(async (text) => {
        const socket = connect(server.address.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.resume();
        await once(socket, 'connect');
        socket.write(encodeFrame(Buffer.from(text)));
        return { closed: once(socket, 'close') };
      }));
      await until('two connections held', () => holding.length === 2);
      await sendRaw(server.address.port, [encodeFrame(Buffer.from('third'))]);
      for (const release of holding) release();
      await Promise.all(held.map((socket) => socket.closed));
      // The server sees a close a moment after its client does: send until a place is free.
      const sendUntilServed = async (text: string) => {
        for (let attempt = 0; !got.includes(text) && attempt < 100; attempt++) await sendRaw(server.address.port, [encodeFrame(Buffer.from(text))]);
      };
      for (const text of ['after 1', 'after 2', 'after 3']) await sendUntilServed(text);
      assert.deepEqual(got, ['hold 1', 'hold 2', 'after 1', 'after 2', 'after 3']);
    } finally {
      await server.close();
    }
  });

  it('closes the connections still open when it closes', async () => {
    const server = await startFrameServer({ host: '127.0.0.1', port: 0, handler: () => undefined, onError: () => undefined });
    const idle = connect(server.address.port, '127.0.0.1');
    idle.on('error', () => undefined);
    await once(idle, 'connect');
    await server.close();
    await once(idle, 'close');
  });
});

describe('transport: listening', () => {
  it('names the address and the reason when the port is taken', async () => {
    const first = await startFrameServer({ host: '127.0.0.1', port: 0, handler: () => undefined, onError: () => undefined });
    try {
      await assert.rejects(startFrameServer({ host: '127.0.0.1', port: first.address.port, handler: () => undefined, onError: () => undefined }),
        (error: unknown) => error instanceof ListenError && error.code === 'ERR_LISTEN'
          && error.message === `cannot listen on 127.0.0.1:${first.address.port}: EADDRINUSE, the port is taken (another pktgen?); pick another port`);
    } finally {
      await first.close();
    }
  });
});
