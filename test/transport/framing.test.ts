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

  // Found by npm run fuzz (frame-decoder): the frame before an oversize header was lost when both
  // came in one chunk, and delivered when they came apart.
  it('returns the frames before an oversize header in the same chunk, then fails on every later call', () => {
    const decoder = new FrameDecoder(4);
    const stream = Buffer.concat([encodeFrame(Buffer.from('0803', 'hex')), Buffer.from('00000005', 'hex')]);
    assert.deepEqual(decoder.push(stream), [Buffer.from('0803', 'hex')]);
    assert.throws(() => decoder.push(Buffer.alloc(1)), FrameTooLargeError);
    assert.throws(() => decoder.end(), (error: unknown) => error instanceof FrameTooLargeError && error.length === 5);
  });

  it('fails the same way whatever the split around an oversize header', () => {
    const stream = Buffer.concat([encodeFrame(Buffer.from('01', 'hex')), Buffer.from('0000ffff', 'hex')]);
    for (const chunkSize of [1, 3, stream.length]) {
      const decoder = new FrameDecoder(16);
      const frames: Buffer[] = [];
      assert.throws(() => {
        for (let i = 0; i < stream.length; i += chunkSize) frames.push(...decoder.push(stream.subarray(i, i + chunkSize)));
        decoder.end();
      }, FrameTooLargeError);
      assert.deepEqual(frames, [Buffer.from('01', 'hex')], `chunks of ${chunkSize}`);
    }
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
