import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';

/** Bytes in a cluster key: 256 bits. */
export const KEY_BYTES = 32;

const HIDDEN = '[cluster key]';

/**
 * The cluster's shared secret. The bytes live in a private field and every way of printing the
 * object (String(), JSON.stringify, console.log, util.inspect) shows '[cluster key]', so a key
 * that reaches a log line or an error message by accident still does not leak.
 */
export class ClusterKey {
  // A KeyObject, not raw bytes: Node keys an HMAC from one several times faster (bench/README.md).
  readonly #key: KeyObject;

  /**
   * @param source where the key came from, for messages: its file's path (never the key itself)
   * @param created true when this process made the key file just now
   */
  constructor(bytes: Uint8Array, readonly source: string, readonly created = false) {
    if (bytes.length !== KEY_BYTES) throw new RangeError(`a cluster key has ${KEY_BYTES} bytes, not ${bytes.length}`);
    this.#key = createSecretKey(Buffer.from(bytes));
  }

  /** A fresh random key held only in memory (tests); key files are made by key.ts. */
  static random(source = 'memory'): ClusterKey {
    return new ClusterKey(randomBytes(KEY_BYTES), source);
  }

  /**
   * HMAC-SHA256 under the key of `label` and `parts`. Each is length-prefixed (4 bytes, big-endian),
   * so no two different lists of parts give the same input, and the label binds the MAC to one role.
   */
  hmac(label: string, ...parts: Uint8Array[]): Buffer {
    const mac = createHmac('sha256', this.#key);
    for (const part of [Buffer.from(label, 'utf8'), ...parts]) {
      const length = Buffer.allocUnsafe(4);
      length.writeUInt32BE(part.length, 0);
      mac.update(length).update(part);
    }
    return mac.digest();
  }

  /** Whether `mac` is hmac(label, ...parts), compared in constant time. */
  verify(mac: Uint8Array, label: string, ...parts: Uint8Array[]): boolean {
    const expected = this.hmac(label, ...parts);
    // The length of a MAC is public (32 bytes); only its content must be compared in constant time.
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}
