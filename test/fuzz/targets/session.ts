import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createSecretKey, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { SessionChannel } from '../../../src/session/channel.js';
import { MAX_SESSION_FRAME } from '../../../src/session/handshake.js';
import { frameTag } from '../../../src/session/crypto.js';
import { encodeFrame, FrameDecoder } from '../../../src/transport/framing.js';
import { decodeSessionFrame, encodeSessionFrame, type ReceivedMessage } from '../../../src/protocol/session-messages.js';
import { sessionMessage } from '../messages.js';
import { byteMutation, concat, mutateBytes, split, type ByteMutation } from '../mutate.js';
import { unexpected, type Target } from '../target.js';

/** Just enough of a socket for a SessionChannel: it records nothing and never closes by itself. */
class FakeSocket extends EventEmitter {
  setTimeout(): this { return this; }
  setNoDelay(): this { return this; }
  cork(): void {}
  uncork(): void {}
  write(): boolean { return true; }
  destroy(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
}

/** Reorders whole frames before any byte is changed: a replay, a loss, a swap. */
type FrameOp = { kind: 'drop' | 'repeat'; at: number } | { kind: 'swap'; at: number; with: number };

interface ChannelInput {
  messages: Parameters<typeof encodeSessionFrame>[1][];
  frameOps: FrameOp[];
  mutations: ByteMutation[];
  cuts: number[];
}

const RECEIVE_KEY = createSecretKey(randomBytes(32));
const SEND_KEY = createSecretKey(randomBytes(32));

function payloads(input: ChannelInput): Buffer[] {
  const frames = input.messages.map((message, i) => {
    const body = encodeSessionFrame(i + 1, message);
    return Buffer.concat([body, frameTag(RECEIVE_KEY, i + 1, body)]);
  });
  for (const op of input.frameOps) {
    if (frames.length === 0) break;
    const i = op.at % frames.length;
    if (op.kind === 'swap') [frames[i], frames[op.with % frames.length]] = [frames[op.with % frames.length]!, frames[i]!];
    else if (op.kind === 'drop') frames.splice(i, 1);
    else frames.splice(i, 0, frames[i]!);
  }
  return frames;
}

function stream(input: ChannelInput): Uint8Array {
  return mutateBytes(concat(payloads(input).map((p) => encodeFrame(p))), input.mutations);
}

/**
 * A real SessionChannel reading a stream of tagged, numbered frames, reordered and mutated: it may
 * end the session, but nothing escapes it, and what it delivers is always a prefix of what was sent.
 */
export const SESSION_CHANNEL_TARGET: Target<ChannelInput> = {
  name: 'session-channel',
  weight: 2,
  arbitrary: fc.record({
    messages: fc.array(sessionMessage, { minLength: 1, maxLength: 5 }),
    frameOps: fc.oneof(fc.constant<FrameOp[]>([]), fc.array<FrameOp>(fc.oneof(
      fc.record({ kind: fc.constantFrom('drop' as const, 'repeat' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
    ), { maxLength: 2 })),
    mutations: fc.oneof(fc.constant<ByteMutation[]>([]), fc.array(byteMutation, { maxLength: 3 })),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
  }),
  check(input) {
    const sent = input.messages.map((m) => decodeSessionFrame(encodeSessionFrame(1, m)).message).filter((m) => m.kind !== 'heartbeat');
    const socket = new FakeSocket();
    const channel = new SessionChannel(socket as unknown as Socket, new FrameDecoder(MAX_SESSION_FRAME), { send: SEND_KEY, receive: RECEIVE_KEY }, 'fuzz');
    const received: ReceivedMessage[] = [];
    channel.on('message', (message) => received.push(message));
    let reason: string | undefined;
    try {
      channel.start();
      for (const chunk of split(stream(input), input.cuts)) socket.emit('data', Buffer.from(chunk));
    } catch (error) {
      throw unexpected('SessionChannel', error);
    } finally {
      reason = channel.endReason;
      channel.close('fuzz input done');
    }
    assert.deepStrictEqual(received, sent.slice(0, received.length), 'delivered messages are not a prefix of those sent');
    if (reason !== undefined) assert.match(reason, /^[^\n\r]+$/, 'end reason is not one line');
    if (input.frameOps.length === 0 && input.mutations.length === 0) {
      assert.equal(reason, undefined, 'an intact stream ended the session');
      assert.equal(received.length, sent.length, 'an intact stream lost messages');
    }
  },
  show: (input) => `stream ${Buffer.from(stream(input)).toString('hex')}, cut at ${fc.stringify(input.cuts)} (messages ${fc.stringify(input.messages)})`,
};
