import assert from 'node:assert/strict';
import { controlRequest, type ControlPeer } from '../../src/control/client.js';
import { startControlServer } from '../../src/control/server.js';
import { AUTH_REFUSAL, ControlGuard, openResponse, sealRequest } from '../../src/control/auth.js';
import { PeerError, UserError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { decodeEnvelope, decodeRequest, decodeResponse, emptyRequest, encodeEnvelope, encodeRequest, encodeResponse, type ControlRequest } from '../../src/protocol/control-messages.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { ClusterKey } from '../../src/security/cluster-key.js';
import { MemoryStore } from '../../src/store/index.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { sendFrame } from '../../src/transport/client.js';
import { startFrameServer, type FrameServer } from '../../src/transport/server.js';

const job = { json: JSON.stringify({ nodes: ['m0'], data: { m: 1, t: 1, s_min: 64 } }), where: 'test', all_nodes: false };
const addJob: Partial<ControlRequest> = { add_jobs: [job] };

describe('control API authentication (real sockets on loopback)', () => {
  const key = ClusterKey.random();
  const logged: string[] = [];
  const log = createLogger({ write: (line) => logged.push(line) });
  let service: SchedulerService;
  let server: FrameServer;
  let peer: ControlPeer;

  /** Sends raw bytes to the control port; returns the raw reply. */
  const raw = async (frame: Uint8Array): Promise<Buffer> => (await sendFrame(server.address, frame, { expectReply: true, ioTimeoutMs: 5000 }))!;
  /** The reply to a refused request: the refusal a 0.1 client would read too, and nothing applied. */
  const assertRefused = async (frame: Uint8Array, reason: RegExp): Promise<void> => {
    const reply = await raw(frame);
    assert.deepEqual(decodeEnvelope(reply).error, { code: 'ERR_AUTH', message: AUTH_REFUSAL });
    assert.deepEqual(decodeResponse(reply).error, { code: 'ERR_AUTH', message: AUTH_REFUSAL }, 'as a pktgen 0.1 client reads it');
    assert.equal(decodeEnvelope(reply).mac.length, 0);
    assert.equal(service.core.state.jobs.size, 0, 'a refused request changed nothing');
    assert.match(logged.at(-1) ?? '', new RegExp(`WARN +refused control request from 127\\.0\\.0\\.1: authentication failed \\(${reason.source}`));
  };

  beforeEach(async () => {
    logged.length = 0;
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }]);
    service.setPaused('m0', true);
    server = await startControlServer(service, { host: '127.0.0.1', port: 0, allow: new Allowlist(LOOPBACK_CIDRS, 'test'), key, log });
    peer = { address: server.address, key };
  });
  afterEach(async () => {
    await server.close();
    await service.stop();
  });

  it('with the same key, a request is applied and its MAC-checked response read', async () => {
    const added = await controlRequest(peer, addJob);
    assert.equal(added.job_ids.length, 1);
    const listed = await controlRequest(peer, { query: true });
    assert.deepEqual(listed.jobs.map((j) => j.id), added.job_ids);
  });

  it('with a different key, the request is refused with ERR_AUTH and changes nothing', async () => {
    const error = await controlRequest({ address: server.address, key: ClusterKey.random('/other/cluster.key') }, addJob).catch((e: unknown) => e);
    assert.ok(error instanceof PeerError);
    assert.equal(error.code, 'ERR_AUTH');
    assert.match(error.message, /refused the request: authentication failed: .*this host's key \(\/other\/cluster\.key\) must be a copy of the scheduler's, and the clocks .* within 30 s/);
    assert.equal(service.core.state.jobs.size, 0);
    assert.match(logged.join(''), /refused control request from 127\.0\.0\.1: authentication failed \(wrong key\)/);
  });

  it('refuses a bare ControlRequest (no proof at all), as a pktgen 0.1 client sends it', async () => {
    await assertRefused(encodeRequest(addJob), /no proof of the key/);
  });

  it('refuses bytes that are no envelope at all, and a time beyond 2^53 ms', async () => {
    await assertRefused(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]), /not a control envelope/);
    // A 64-bit value beyond 2^53 - 1 does not decode (src/protocol/numbers.ts).
    await assertRefused(encodeEnvelope({ body: encodeRequest(addJob), nonce: Buffer.alloc(16), time_ms: 2 ** 63, mac: Buffer.alloc(32) }), /not a control envelope/);
  });

  it('a pktgen 0.1 scheduler would read a sealed request as an empty one: it changes nothing there', () => {
    assert.deepEqual(decodeRequest(sealRequest(key, encodeRequest(addJob)).frame), emptyRequest());
  });

  it('refuses a bad MAC, and a body changed under a good MAC', async () => {
    const { frame } = sealRequest(key, encodeRequest(addJob));
    const envelope = decodeEnvelope(frame);
    const flipped = Buffer.from(envelope.mac);
    flipped[0]! ^= 1;
    await assertRefused(encodeEnvelope({ ...envelope, mac: flipped }), /wrong key/);
    const other = encodeRequest({ add_jobs: [job, job] });
    await assertRefused(encodeEnvelope({ ...envelope, body: other }), /wrong key/);
    await assertRefused(encodeEnvelope({ ...envelope, time_ms: envelope.time_ms + 1 }), /wrong key/);
  });

  it('refuses a replayed request: the first copy is applied once, the second changes nothing', async () => {
    const { frame } = sealRequest(key, encodeRequest(addJob));
    const first = await raw(frame);
    assert.equal(decodeEnvelope(first).mac.length, 32);
    assert.equal(service.core.state.jobs.size, 1);
    const again = await raw(frame);
    assert.equal(decodeEnvelope(again).error?.code, 'ERR_AUTH');
    assert.equal(service.core.state.jobs.size, 1);
    assert.match(logged.at(-1)!, /authentication failed \(replayed: its nonce was seen in the last minute\)/);
  });

  for (const offsetS of [-31, 31, -3600]) {
    it(`refuses a request whose time is ${offsetS} s off the scheduler's clock`, async () => {
      const { frame } = sealRequest(key, encodeRequest(addJob), Date.now() + offsetS * 1000);
      await assertRefused(frame, new RegExp(`stale: the client's clock is ${offsetS} s off`));
    });
  }

  it('takes a request 25 s off either way (clocks need only agree within 30 s)', async () => {
    for (const offsetMs of [-25_000, 25_000]) await raw(sealRequest(key, encodeRequest(addJob), Date.now() + offsetMs).frame);
    assert.equal(service.core.state.jobs.size, 2);
  });

  it('a client refuses a reply that does not prove the key: a bare response, another key, its own request reflected', async () => {
    const replies: Array<(request: Buffer) => Uint8Array> = [
      () => encodeResponse({ job_ids: ['forged'] }),
      (request) => new ControlGuard(ClusterKey.random()).seal(decodeEnvelope(request).nonce, encodeResponse({ job_ids: ['forged'] })),
      (request) => request,
    ];
    for (const reply of replies) {
      const fake = await startFrameServer({ host: '127.0.0.1', port: 0, handler: reply, onError: () => undefined });
      try {
        await assert.rejects(controlRequest({ address: fake.address, key }, { query: true }),
          (e: unknown) => e instanceof PeerError && e.code === 'ERR_AUTH' && /does not prove the cluster key/.test(e.message));
      } finally {
        await fake.close();
      }
    }
  });

  it("a client reports an unauthenticated refusal other than ERR_AUTH (e.g. a size limit) without the key hint", async () => {
    const fake = await startFrameServer({ host: '127.0.0.1', port: 0, handler: () => encodeResponse({ error: { code: 'ERR_LIMIT', message: 'request too large' } }), onError: () => undefined });
    try {
      await assert.rejects(controlRequest({ address: fake.address, key }, { query: true }),
        (e: unknown) => e instanceof UserError && e.code === 'ERR_LIMIT' && /refused the request: request too large$/.test(e.message));
    } finally {
      await fake.close();
    }
  });

  it('a response sealed for another request (another nonce) is refused', async () => {
    const guard = new ControlGuard(key);
    const fake = await startFrameServer({ host: '127.0.0.1', port: 0, handler: () => guard.seal(Buffer.alloc(16, 7), encodeResponse({ job_ids: ['old'] })), onError: () => undefined });
    try {
      await assert.rejects(controlRequest({ address: fake.address, key }, { query: true }), /does not prove the cluster key/);
    } finally {
      await fake.close();
    }
  });
});

describe('ControlGuard: a bounded memory of nonces', () => {
  it('when full, refuses an authentic request with ERR_BUSY under the MAC, and takes requests again a minute later', () => {
    const key = ClusterKey.random();
    const guard = new ControlGuard(key, 2);
    const now = Date.now();
    for (let i = 0; i < 2; i++) assert.equal(guard.open(sealRequest(key, encodeRequest({}), now).frame, now).ok, true);
    const sealed = sealRequest(key, encodeRequest({}), now);
    const opened = guard.open(sealed.frame, now + 1);
    assert.ok(!opened.ok);
    assert.match(opened.reason, /more than 2 control requests in 60 s/);
    const reply = openResponse(key, sealed.nonce, opened.reply);
    assert.ok('body' in reply);
    assert.equal(decodeResponse(reply.body).error?.code, 'ERR_BUSY');
    assert.equal(guard.open(sealRequest(key, encodeRequest({}), now + 60_001).frame, now + 60_001).ok, true);
  });
});
