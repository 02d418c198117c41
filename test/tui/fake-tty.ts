import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';

/** A terminal's stdin: raw mode is recorded, typed keys are pushed with type(). */
export class FakeTtyIn extends EventEmitter {
  readonly isTTY = true;
  /** Every setRawMode() call, in order. */
  readonly rawModes: boolean[] = [];
  private pending: string[] = [];
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
  setEncoding(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  read(): string | null {
    return this.pending.shift() ?? null;
  }
  /** Sends keys as a terminal would. */
  type(keys: string): void {
    this.pending.push(keys);
    this.emit('readable');
  }
}

/** A terminal's stdout (isTTY, a size) that keeps everything written to it. */
export class FakeTtyOut extends Writable {
  readonly isTTY = true;
  columns = 80;
  rows = 24;
  output = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.output += chunk.toString();
    done();
  }
}

/** A pipe's stdout (no TTY) that keeps everything written to it. */
export class FakePipe extends Writable {
  output = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.output += chunk.toString();
    done();
  }
}
