import protobuf from 'protobufjs/minimal.js';

// 64-bit counters decode as plain numbers (exact up to 2^53, far beyond any counter pktgen keeps).
// The generated code reads util.Long when it loads, so wire.ts imports this module first.
protobuf.util.Long = undefined as never;
protobuf.configure();

// A 64-bit field above 2^53 - 1 has no exact number: 2^64 - 1 read as 2^64, which encodes as 0.
// Such a value is refused where it is read, so decode() turns it into a DecodeError; found by
// npm run fuzz (control-envelope, session-frame).
const reader = protobuf.Reader.prototype as unknown as Record<string, () => number>;
for (const name of ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']) {
  const read = reader[name]!;
  reader[name] = function readSafe64(this: protobuf.Reader): number {
    const value = read.call(this);
    if (!Number.isSafeInteger(value)) throw new RangeError(`64-bit value ${value} is beyond 2^53 - 1, the largest exact number`);
    return value;
  };
}
