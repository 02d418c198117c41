import fc from 'fast-check';

/**
 * Byte-level mutations of a valid input: what a flaky link, a buggy peer or an attacker makes of a
 * message. Positions are taken modulo the input's length, so a mutation shrinks to a small number.
 */
export type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; at: number; count: number }
  /** Overwrites from `at` with a varint: a length prefix or tag that lies, up to 2^64 - 1. */
  | { kind: 'varint'; at: number; value: bigint };

const at = fc.nat({ max: 1 << 16 });

/** One byte mutation. */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x08, 0x0a, 0x12) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at, count: fc.integer({ min: 1, max: 32 }) }),
  fc.record({
    kind: fc.constant('varint' as const),
    at,
    value: fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom((1n << 31n) - 1n, 1n << 32n, (1n << 53n) + 1n, (1n << 64n) - 1n)),
  }),
);

/** 1 to 4 byte mutations. */
export const byteMutations = fc.array(byteMutation, { minLength: 1, maxLength: 4 });

/** The varint encoding of `value` (protobuf base-128, least significant group first). */
export function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Uint8Array.from(out);
}

/** Applies `mutations` in order to a copy of `input`. */
export function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  for (const m of mutations) {
    const i = bytes.length === 0 ? 0 : m.at % (bytes.length + (m.kind === 'insert' || m.kind === 'truncate' ? 1 : 0));
    switch (m.kind) {
      case 'flip': if (bytes.length > 0) bytes[i] = bytes[i]! ^ (1 << m.bit); break;
      case 'set': if (bytes.length > 0) bytes[i] = m.value; break;
      case 'truncate': bytes = bytes.slice(0, i); break;
      case 'insert': bytes = concat([bytes.subarray(0, i), m.bytes, bytes.subarray(i)]); break;
      case 'delete': bytes = concat([bytes.subarray(0, i), bytes.subarray(i + m.count)]); break;
      case 'duplicate': bytes = concat([bytes.subarray(0, i + m.count), bytes.subarray(i)]); break;
      case 'varint': {
        const v = varint(m.value);
        bytes = concat([bytes.subarray(0, i), v, bytes.subarray(i + v.length)]);
        break;
      }
    }
  }
  return bytes;
}

/** Concatenates byte arrays into a new Uint8Array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Text mutations of a JSON document: the typos and cut-offs of a hand-edited file. */
export type TextMutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'truncate'; at: number };

// What turns valid JSON into subtly different JSON, or into the errors describeSyntaxError names.
const JSON_BITS = [
  '{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\ud800', '-', '0', '1e400', '-0', '.5', 'e', 'null', 'true',
  '/*', '//', '\n', '\r', '\t', '\u00a0', '\u2028', '\ufeff', '\u0000', '\u001b', 'NaN', 'Infinity', "'", '💥',
];
const snippet = fc.oneof(fc.constantFrom(...JSON_BITS), fc.string({ maxLength: 4, unit: 'binary' }));

/** One text mutation. */
export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at, text: snippet }),
  fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('replace' as const), at, text: snippet }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
);

/** Applies `mutations` in order to `text` (positions are UTF-16 units, modulo its length). */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let out = text;
  for (const m of mutations) {
    const i = m.at % (out.length + 1);
    switch (m.kind) {
      case 'insert': out = out.slice(0, i) + m.text + out.slice(i); break;
      case 'delete': out = out.slice(0, i) + out.slice(i + m.count); break;
      case 'replace': out = out.slice(0, i) + m.text + out.slice(i + m.text.length); break;
      case 'truncate': out = out.slice(0, i); break;
    }
  }
  return out;
}

/** Splits `bytes` into chunks at the given cut points (as a socket might deliver them). */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of points) {
    if (point > last) chunks.push(bytes.subarray(last, point));
    last = Math.max(last, point);
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}
