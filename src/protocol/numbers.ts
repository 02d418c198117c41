import protobuf from 'protobufjs/minimal.js';

// 64-bit counters decode as plain numbers (exact up to 2^53, far beyond any counter pktgen keeps).
// The generated code reads util.Long when it loads, so wire.ts imports this module first.
protobuf.util.Long = undefined as never;
protobuf.configure();
