import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { startFrameServer, sendFrame, type FrameServer } from '../../src/transport/index.js';

describe('transport: a frame server on several listening sockets (SO_REUSEPORT)', () => {
  const servers: FrameServer[] = [];
  const plain: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    for (const server of plain.splice(0)) server.close();
  });

  async function start(port: number, received: string[] = []): Promise<FrameServer> {
    const server = await startFrameServer({
      host: '127.0.0.1', port, listeners: 4, handler: (payload) => void received.push(payload.toString()), onError: () => undefined,
    });
    servers.push(server);
    return server;
  }

  it('takes every frame, however the kernel spreads the connections', async () => {
    const received: string[] = [];
    const server = await start(0, received);
    const sent = Array.from({ length: 64 }, (_, i) => `frame ${i}`);
    await Promise.all(sent.map((text) => sendFrame(server.address, Buffer.from(text))));
    assert.deepEqual(received.sort(), sent.sort());
  });

  it('still refuses a port another server holds, as a single socket would', async () => {
    const other = createServer().listen(0, '127.0.0.1');
    plain.push(other);
    await once(other, 'listening');
    const { port } = other.address() as { port: number };
    await assert.rejects(start(port), { code: 'ERR_LISTEN', message: /EADDRINUSE/ });
  });

  it('does not share its port with a second frame server', async () => {
    const first = await start(0);
    await assert.rejects(start(first.address.port), { code: 'ERR_LISTEN', message: /EADDRINUSE/ });
  });

  it('stops accepting on every socket when closed', async () => {
    const server = await start(0);
    await server.close();
    servers.length = 0;
    await assert.rejects(sendFrame(server.address, Buffer.from('late')), { code: 'ERR_CONNECT' });
  });
});
