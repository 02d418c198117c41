// The generated message classes, loaded after numbers.ts has switched 64-bit fields to numbers.
// Import `pktgen` from here, never from ./generated directly.
import './numbers.js';
import { DecodeError } from './errors.js';

export { pktgen } from './generated/pktgen.js';

/** The data fields of a generated message (as decoded: every field present), without its methods. */
export type Fields<T> = {
  -readonly [K in keyof T as K extends '$unknowns' ? never : T[K] extends (...args: never[]) => unknown ? never : K]-?: Exclude<T[K], null | undefined>;
};

/** Conversion options for reading a message as a plain object: numbers, every field present. */
export const PLAIN = { longs: Number, enums: String, defaults: true, arrays: true } as const;

/**
 * A decoded message as a plain object of type `T`: protobufjs types toObject() loosely, so this is
 * the one place where its result gets its generated shape.
 */
export function toPlain<M, T>(type: { toObject(message: M, options: typeof PLAIN): { [key: string]: unknown } }, message: M): T {
  return type.toObject(message, PLAIN) as T;
}

/** Decodes one message of a generated type; bytes that are not one throw DecodeError naming the type. */
export function decode<M>(type: { decode(bytes: Uint8Array): M; getTypeUrl(prefix?: string): string }, bytes: Uint8Array): M {
  try {
    return type.decode(bytes);
  } catch (error) {
    throw new DecodeError(type.getTypeUrl('').replace(/^\/?pktgen\./, ''), (error as Error).message);
  }
}
