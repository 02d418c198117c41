import { stripVTControlCharacters } from 'node:util';

/** Waits until `check` returns a truthy value (polling every 5 ms), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A frame as a terminal without colors shows it. */
export const plain = (frame: string | undefined): string => stripVTControlCharacters(frame ?? '');

/** Keys as a terminal sends them. */
export const KEY = { up: '\u001B[A', down: '\u001B[B', pageDown: '\u001B[6~', enter: '\r', backspace: '\u007F' } as const;
