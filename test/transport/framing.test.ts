import assert from 'node:assert/strict';
import { FrameDecoder, encodeFrame } from '../../src/transport/framing.js';
import { FrameTooLargeError, FrameTruncatedError } from '../../src/transport/errors.js';

function feed(decoder: FrameDecoder, bytes: Buffer, chunkSize: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) frames.push(...decoder.push(bytes.subarray(i, i + chunkSize)));
  return frames;
}

describe('transport: framing', () => {
  const payloads = [Buffer.alloc(0), Buffer.from('0803', 'hex'), Buffer.alloc(70_000, 7)];
  const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));

  for (const chunkSize of [1, 2, 3, 5, 4096, stream.length]) {
    it(`decodes frames fed ${chunkSize} byte(s) at a time`, () => {
      const decoder = new FrameDecoder();
      assert.deepEqual(feed(decoder, stream, chunkSize), payloads);
      decoder.end();
    });
  }

  it('treats a zero length as a valid empty message', () => {
    assert.deepEqual(new FrameDecoder().push(Buffer.from('00000000', 'hex')), [Buffer.alloc(0)]);
  });

  it('rejects a header above the limit before buffering the body', () => {
    const decoder = new FrameDecoder(1024);
    assert.throws(() => decoder.push(Buffer.from('00000401', 'hex')), (error: unknown) =>
      error instanceof FrameTooLargeError && error.code === 'ERR_FRAME_TOO_LARGE' && error.length === 1025);
  });

  it('accepts a frame exactly at the limit', () => {
    const decoder = new FrameDecoder(1024);
    assert.equal(decoder.push(encodeFrame(Buffer.alloc(1024)))[0]?.length, 1024);
  });

  it('reports a split header and a cut body at end of stream', () => {
    const header = new FrameDecoder();
    header.push(Buffer.from('0000', 'hex'));
    assert.throws(() => header.end(), FrameTruncatedError);
    const body = new FrameDecoder();
    body.push(Buffer.from('0000000a0102', 'hex'));
    assert.throws(() => body.end(), /after 6 of 14 frame bytes/);
  });
});
