import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../../src/protocol/errors.js';
import { decodeJob, decodeStatus, encodeJob, encodeStatus } from '../../../src/protocol/messages.js';
import {
  decodeEnvelope, decodeRequest, decodeResponse, encodeEnvelope, encodeRequest, encodeResponse,
} from '../../../src/protocol/control-messages.js';
import {
  decodeHello, decodeProof, decodeSessionFrame, decodeWelcome, encodeHello, encodeProof, encodeSessionFrame, encodeWelcome,
} from '../../../src/protocol/session-messages.js';
import * as gen from '../messages.js';
import { byteInputs, type ByteInput } from '../messages.js';
import { unexpected, type Target } from '../target.js';

/** A decoder, the encoder it must agree with, and encodings of valid messages. */
interface Codec<D> {
  name: string;
  valid: fc.Arbitrary<Uint8Array>;
  decode(bytes: Uint8Array): D;
  encode(decoded: D): Uint8Array;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A decoded value with its byte fields as hex: a decoder may hand out a Buffer or a Uint8Array alike. */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes ${hex(value)}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

/**
 * The fuzz target of one protobuf decoder. A failure: anything thrown but DecodeError; a valid
 * message that does not decode; a decoded message whose re-encoding decodes to something else,
 * or re-encodes to other bytes (encode(decode(x)) is not stable).
 */
function decoderTarget<D>(codec: Codec<D>): Target<ByteInput> {
  return {
    name: codec.name,
    weight: 1,
    arbitrary: byteInputs(codec.valid),
    check({ how, bytes }) {
      let decoded: D;
      try {
        decoded = codec.decode(bytes);
      } catch (error) {
        if (error instanceof DecodeError && how !== 'valid') return;
        throw unexpected(`${codec.name} decoder`, error);
      }
      const encoded = codec.encode(decoded);
      let again: D;
      try {
        again = codec.decode(encoded);
      } catch (error) {
        throw unexpected(`${codec.name} decoder on its own re-encoding ${hex(encoded)}`, error);
      }
      assert.deepStrictEqual(comparable(again), comparable(decoded), 'decode(encode(decode(x))) differs from decode(x)');
      assert.equal(hex(codec.encode(again)), hex(encoded), 'encode(decode(x)) is not stable');
    },
    show: ({ how, bytes, mutations }) => `${how} ${hex(bytes)}${mutations ? ` (mutations ${fc.stringify(mutations)})` : ''}`,
  };
}

/** Every protobuf decoder of src/protocol, each with its encoder. */
export const PROTOBUF_TARGETS: Target<ByteInput>[] = [
  decoderTarget({ name: 'job', valid: gen.job.map(encodeJob), decode: decodeJob, encode: encodeJob }),
  decoderTarget({ name: 'status', valid: gen.status.map(encodeStatus), decode: decodeStatus, encode: encodeStatus }),
  decoderTarget({ name: 'control-request', valid: gen.controlRequest.map(encodeRequest), decode: decodeRequest, encode: encodeRequest }),
  decoderTarget({ name: 'control-response', valid: gen.controlResponse.map(encodeResponse), decode: decodeResponse, encode: encodeResponse }),
  decoderTarget({ name: 'control-envelope', valid: gen.controlEnvelope.map(encodeEnvelope), decode: decodeEnvelope, encode: encodeEnvelope }),
  decoderTarget({ name: 'session-hello', valid: gen.sessionHello.map(encodeHello), decode: decodeHello, encode: encodeHello }),
  decoderTarget({ name: 'session-welcome', valid: gen.sessionWelcome.map(encodeWelcome), decode: decodeWelcome, encode: encodeWelcome }),
  decoderTarget({ name: 'session-proof', valid: gen.sessionProof.map(encodeProof), decode: decodeProof, encode: encodeProof }),
  decoderTarget({
    name: 'session-frame',
    valid: fc.tuple(gen.seq, gen.sessionMessage).map(([seq, message]) => encodeSessionFrame(seq, message)),
    decode: decodeSessionFrame,
    encode: ({ seq, message }) => encodeSessionFrame(seq, message),
  }),
];
