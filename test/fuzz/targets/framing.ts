import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, HEADER_BYTES } from '../../../src/transport/framing.js';
import { FrameTooLargeError, FrameTruncatedError } from '../../../src/transport/errors.js';
import { byteMutation, concat, mutateBytes, split, type ByteMutation } from '../mutate.js';
import { unexpected, type Target } from '../target.js';

interface FrameInput {
  payloads: Uint8Array[];
  maxFrameBytes: number;
  mutations: ByteMutation[];
  cuts: number[];
  oneByteChunks: boolean;
}

/** What a stream decodes to: its frames, then how it ended. */
interface Outcome {
  frames: string[];
  end: 'clean' | 'too-large' | 'truncated';
}

/** The reference decoder: the framing rule read off the whole stream at once. */
function reference(stream: Uint8Array, max: number): Outcome {
  const view = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  const frames: string[] = [];
  let pos = 0;
  while (view.length - pos >= HEADER_BYTES) {
    const length = view.readUInt32BE(pos);
    if (length > max) return { frames, end: 'too-large' };
    if (view.length - pos - HEADER_BYTES < length) break;
    frames.push(view.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + length).toString('hex'));
    pos += HEADER_BYTES + length;
  }
  return { frames, end: pos === view.length ? 'clean' : 'truncated' };
}

/** FrameDecoder fed the stream in chunks; any error but its two typed ones escapes. */
function decode(chunks: readonly Uint8Array[], max: number): Outcome {
  const decoder = new FrameDecoder(max);
  const frames: string[] = [];
  for (const chunk of chunks) {
    try {
      frames.push(...decoder.push(chunk).map((frame) => frame.toString('hex')));
    } catch (error) {
      if (error instanceof FrameTooLargeError && error.length > max) return { frames, end: 'too-large' };
      throw unexpected('FrameDecoder.push', error);
    }
  }
  try {
    decoder.end();
  } catch (error) {
    if (error instanceof FrameTruncatedError) return { frames, end: 'truncated' };
    if (error instanceof FrameTooLargeError && error.length > max) return { frames, end: 'too-large' };
    throw unexpected('FrameDecoder.end', error);
  }
  assert.equal(decoder.pendingBytes, 0, 'end() passed with bytes pending');
  return { frames, end: 'clean' };
}

const payload = fc.oneof({ weight: 9, arbitrary: fc.uint8Array({ maxLength: 40 }) }, fc.uint8Array({ minLength: 1000, maxLength: 3000 }));

/**
 * The length-prefixed frame decoder against the reference, on valid streams mutated and cut into
 * chunks anywhere: the same frames and the same ending for every split.
 */
export const FRAMING_TARGET: Target<FrameInput> = {
  name: 'frame-decoder',
  weight: 2,
  arbitrary: fc.record({
    payloads: fc.array(payload, { maxLength: 5 }),
    maxFrameBytes: fc.constantFrom(0, 3, 16, 100, 1024, DEFAULT_MAX_FRAME_BYTES),
    mutations: fc.array(byteMutation, { maxLength: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
    oneByteChunks: fc.boolean(),
  }),
  check({ payloads, maxFrameBytes, mutations, cuts, oneByteChunks }) {
    const stream = mutateBytes(concat(payloads.map((p) => encodeFrame(p))), mutations);
    const chunks = oneByteChunks ? [...stream].map((byte) => Uint8Array.of(byte)) : split(stream, cuts);
    assert.deepStrictEqual(decode(chunks, maxFrameBytes), reference(stream, maxFrameBytes));
  },
  show: ({ payloads, maxFrameBytes, mutations, cuts, oneByteChunks }) => {
    const stream = mutateBytes(concat(payloads.map((p) => encodeFrame(p))), mutations);
    return `stream ${Buffer.from(stream).toString('hex')}, max ${maxFrameBytes}, ${oneByteChunks ? 'one byte a chunk' : `cut at ${fc.stringify(cuts)}`}`;
  },
};
