import { PktgenError } from '../errors.js';

/** A frame announced a length above the receiver's limit. */
export class FrameTooLargeError extends PktgenError {
  constructor(readonly length: number, readonly maxBytes: number) {
    super('ERR_FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${maxBytes} bytes`);
  }
}

/** The connection ended before a whole frame arrived. */
export class FrameTruncatedError extends PktgenError {
  constructor(readonly received: number, readonly expected: number) {
    super('ERR_FRAME_TRUNCATED', `connection closed after ${received} of ${expected} frame bytes`);
  }
}

/** The frame's bytes are not a valid protobuf message of the expected type. */
export class DecodeError extends PktgenError {
  constructor(readonly messageType: string, detail: string) {
    super('ERR_DECODE', `cannot decode ${messageType}: ${detail}`);
  }
}
