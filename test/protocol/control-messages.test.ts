import assert from 'node:assert/strict';
import { decodeRequest, decodeResponse, encodeRequest } from '../../src/protocol/control-messages.js';
import { DecodeError } from '../../src/protocol/errors.js';

// Found by npm run fuzz (control-request, control-response): an enum number with no name (noise,
// or a newer peer's value) threw a TypeError from toLowerCase() instead of a DecodeError.
describe('protocol: control messages with unknown enum values', () => {
  const decodeError = (pattern: RegExp) => (error: unknown) => error instanceof DecodeError && error.code === 'ERR_DECODE' && pattern.test(error.message);

  it('refuses a request whose states hold a number no job state has', () => {
    // ControlRequest.states (field 11, varint) = 7
    assert.throws(() => decodeRequest(Uint8Array.from([0x58, 0x07])), decodeError(/ControlRequest: unknown job state 7/));
  });

  it('refuses a response with an unknown node health or job state', () => {
    // nodes (field 3) { health (field 13) = 9 }; jobs (field 4) { state (field 14) = 9 }
    assert.throws(() => decodeResponse(Uint8Array.from([0x1a, 0x02, 0x68, 0x09])), decodeError(/ControlResponse: unknown node health 9/));
    assert.throws(() => decodeResponse(Uint8Array.from([0x22, 0x02, 0x70, 0x09])), decodeError(/ControlResponse: unknown job state 9/));
  });

  it('still reads every known state by name', () => {
    const request = decodeRequest(encodeRequest({ query: true, states: ['pending', 'cancelled'] }));
    assert.deepEqual(request.states, ['pending', 'cancelled']);
  });
});
