import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

/** The built single executable; integration tests drive it, not the library code. */
export const PKTGEN = fileURLToPath(new URL('../../dist/pktgen', import.meta.url));

/** Fails with a clear message when the binary was not built. */
export function requireBinary(): void {
  if (!existsSync(PKTGEN)) throw new Error(`${PKTGEN} is missing: run npm run build (npm test does it first)`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts `pktgen ARGS` in the background, with its helper cache in a test folder. */
export function spawnPktgen(args: string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; all: true }> {
  return execa(PKTGEN, args, { reject: false, all: true, env: { PKTGEN_CACHE_DIR: '/tmp/pktgen-test-cache', ...env } });
}

/** Resolves once the process printed a line matching `pattern` (stdout or stderr). */
export async function waitForOutput(child: ResultPromise, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void child.then(() => {
      clearTimeout(timer);
      if (!pattern.test(seen)) reject(new Error(`process ended before printing ${pattern}; got:\n${seen}`));
    });
  });
}
