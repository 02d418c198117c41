import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { acceptSession, openSession, SessionError } from '../../src/session/handshake.js';
import { proof, proofHolds, secretFromBytes, type Transcript } from '../../src/session/crypto.js';
import type { SessionChannel } from '../../src/session/channel.js';
import { SESSION_MAGIC, type SessionMessage } from '../../src/protocol/session-messages.js';
import { encodeFrame } from '../../src/transport/framing.js';

const KEY = secretFromBytes(randomBytes(32));
const OTHER = secretFromBytes(randomBytes(32));
const FAST = { heartbeatMs: 100, silenceMs: 300 };

/** A node-side listener: sessions it accepted, and why the others failed. */
async function nodeListener(secret = KEY) {
  const accepted: SessionChannel[] = [];
  const refused: Error[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) return;
      socket.off('data', onData);
      if (!head.subarray(0, 4).equals(SESSION_MAGIC)) return void socket.destroy();
      acceptSession(socket, head.subarray(4), secret, 'n1', FAST).then((channel) => accepted.push(channel.start()), (error: Error) => refused.push(error));
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    address: { host: '127.0.0.1', port }, accepted, refused,
    close: async () => {
      for (const channel of accepted) channel.close('test over');
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('session: authenticated, numbered frames between scheduler and node', () => {
  it('opens with the same key, carries messages both ways, and stays up on heartbeats', async () => {
    const node = await nodeListener();
    try {
      const channel = (await openSession(node.address, KEY, 'sched', 1000, FAST)).start();
      await until('the node accepted', () => node.accepted.length === 1);
      const nodeSide = node.accepted[0]!;
      assert.equal(channel.peerName, 'n1');
      assert.equal(nodeSide.peerName, 'sched');
      const atNode: SessionMessage[] = [];
      const atScheduler: SessionMessage[] = [];
      nodeSide.on('message', (m) => atNode.push(m));
      channel.on('message', (m) => atScheduler.push(m));
      channel.send({ kind: 'job', job: { id: 'j1', m: 10, t: 1, s_min: 64 } });
      nodeSide.send({ kind: 'accepted', jobId: 'j1' });
      nodeSide.send({ kind: 'status', status: { type: 'SUCCESS', job_id: 'j1', node: 'n1', reason: '', elapsed_s: 0 } });
      channel.send({ kind: 'statusAck', jobId: 'j1', type: 'SUCCESS' });
      await until('every message', () => atNode.length === 2 && atScheduler.length === 2);
      const [job] = atNode;
      assert.equal(job?.kind === 'job' && job.job.m, 10);
      assert.deepEqual(atScheduler[0], { kind: 'accepted', jobId: 'j1' });
      const status = atScheduler[1];
      assert.equal(status?.kind === 'status' && status.status.type, 'SUCCESS');
      assert.deepEqual(atNode[1], { kind: 'statusAck', jobId: 'j1', type: 'SUCCESS' });
      await sleep(FAST.silenceMs * 3);
      assert.ok(channel.open && nodeSide.open, 'heartbeats keep an idle session open');
      channel.close('done');
    } finally {
      await node.close();
    }
  });

  it('writes what was sent just before close(), in order', async () => {
    const node = await nodeListener();
    try {
      const channel = (await openSession(node.address, KEY, 'sched', 1000, FAST)).start();
      await until('accepted', () => node.accepted.length === 1);
      const nodeSide = node.accepted[0]!;
      const atNode: SessionMessage[] = [];
      nodeSide.on('message', (m) => atNode.push(m));
      channel.send({ kind: 'statusAck', jobId: 'j1', type: 'SUCCESS' });
      channel.send({ kind: 'statusAck', jobId: 'j2', type: 'FAIL' });
      channel.close('done');
      await until('both frames and the end', () => atNode.length === 2 && !nodeSide.open);
      assert.deepEqual(atNode, [{ kind: 'statusAck', jobId: 'j1', type: 'SUCCESS' }, { kind: 'statusAck', jobId: 'j2', type: 'FAIL' }]);
    } finally {
      await node.close();
    }
  });

    it('refuses a different key on both sides: the scheduler says authentication failed, naming the node', async () => {
    const node = await nodeListener(OTHER);
    try {
      await assert.rejects(openSession(node.address, KEY, 'sched', 1000, FAST), (error: unknown) =>
        error instanceof SessionError && error.code === 'ERR_AUTH' && /authentication failed: node at 127\.0\.0\.1:\d+/.test(error.message));
      assert.equal(node.accepted.length, 0);
    } finally {
      await node.close();
    }
  });

  it('refuses a scheduler that cannot prove the key, even if it replays a node proof (no reflection)', async () => {
    const node = await nodeListener();
    try {
      const socket = connect(node.address.port, '127.0.0.1');
      await once(socket, 'connect');
      const schedulerNonce = randomBytes(32);
      const { encodeHello, decodeWelcome, encodeProof } = await import('../../src/protocol/session-messages.js');
      socket.write(Buffer.concat([SESSION_MAGIC, encodeFrame(encodeHello({ version: 1, nonce: schedulerNonce, name: 'evil' }))]));
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      const welcome = decodeWelcome(chunk.subarray(4));
      // The attacker sends the node's own proof back as the scheduler's.
      socket.write(encodeFrame(encodeProof(welcome.proof)));
      await until('the node refused', () => node.refused.length === 1);
      assert.match(node.refused[0]!.message, /authentication failed: the scheduler did not prove the cluster key/);
      assert.equal(node.accepted.length, 0);
      socket.destroy();
    } finally {
      await node.close();
    }
  });

  it('closes a connection that does not prove the key within 2 s', async () => {
    const node = await nodeListener();
    try {
      const socket = connect(node.address.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(SESSION_MAGIC);
      const started = Date.now();
      await Promise.race([once(socket, 'close'), sleep(4000)]);
      assert.ok(socket.destroyed || socket.readableEnded, 'still open after 4 s');
      assert.ok(Date.now() - started < 3500);
      assert.match(node.refused[0]?.message ?? '', /no handshake within 2000 ms/);
    } finally {
      await node.close();
    }
  });

  it('ends the session on a tampered, replayed or silent peer', async () => {
    const node = await nodeListener();
    try {
      // Tampered: one bit of a frame's tag flipped on the wire.
      const channel = (await openSession(node.address, KEY, 'sched', 1000, FAST)).start();
      await until('accepted', () => node.accepted.length === 1);
      const socket = (channel as unknown as { socket: Socket }).socket;
      const write = socket.write.bind(socket);
      let flipped = false;
      socket.write = ((data: Buffer) => {
        const copy = Buffer.from(data);
        if (!flipped) copy[copy.length - 32]! ^= 1;
        flipped = true;
        return write(copy);
      }) as typeof socket.write;
      channel.send({ kind: 'accepted', jobId: 'x' });
      await until('the node ended the session', () => !node.accepted[0]!.open);
      assert.match(node.accepted[0]!.endReason!, /bad tag/);

      // Replayed: a frame sent again as it was.
      const replaying = (await openSession(node.address, KEY, 'sched', 1000, FAST)).start();
      await until('accepted', () => node.accepted.length === 2);
      const raw = (replaying as unknown as { socket: Socket }).socket;
      const sent: Buffer[] = [];
      const send = raw.write.bind(raw);
      raw.write = ((data: Buffer) => {
        sent.push(Buffer.from(data));
        return send(data);
      }) as typeof raw.write;
      replaying.send({ kind: 'accepted', jobId: 'y' });
      send(sent[0]!);
      await until('the node ended the replayed session', () => !node.accepted[1]!.open);
      assert.match(node.accepted[1]!.endReason!, /bad tag/);
      replaying.close('done');

      // Silent: a scheduler whose heartbeats stop (its timer is stopped) is dropped within the silence window.
      const quiet = (await openSession(node.address, KEY, 'sched', 1000, FAST)).start();
      await until('accepted', () => node.accepted.length === 3);
      clearInterval((quiet as unknown as { timer: NodeJS.Timeout }).timer);
      const start = Date.now();
      await until('the node noticed the silence', () => !node.accepted[2]!.open, 2000);
      assert.match(node.accepted[2]!.endReason!, /no frame for 0\.3 s/);
      assert.ok(Date.now() - start < FAST.silenceMs * 3);
      quiet.close('done');
    } finally {
      await node.close();
    }
  });

  it('binds proofs to their role: a node proof is not a scheduler proof', () => {
    const t: Transcript = { schedulerNonce: randomBytes(32), nodeNonce: randomBytes(32), schedulerName: 's', nodeName: 'n' };
    assert.ok(proofHolds(KEY, 'node', t, proof(KEY, 'node', t)));
    assert.ok(!proofHolds(KEY, 'scheduler', t, proof(KEY, 'node', t)));
    assert.ok(!proofHolds(KEY, 'node', { ...t, nodeName: 'm' }, proof(KEY, 'node', t)));
  });
});
