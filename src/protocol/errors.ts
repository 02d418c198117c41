import { PktgenError } from '../errors.js';

/** The frame's bytes are not a valid protobuf message of the expected type. */
export class DecodeError extends PktgenError {
  constructor(readonly messageType: string, detail: string) {
    super('ERR_DECODE', `cannot decode ${messageType}: ${detail}`);
  }
}
