import { existsSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { testKeyFile } from './key.js';

/** The built single executable; integration tests drive it, not the library code. */
export const PKTGEN = fileURLToPath(new URL('../../dist/pktgen', import.meta.url));

/** Fails with a clear message when the binary was not built. */
export function requireBinary(): void {
  if (!existsSync(PKTGEN)) throw new Error(`${PKTGEN} is missing: run npm run build (npm test does it first)`);
}

/**
 * A port free for TCP and UDP on 127.0.0.1, for a process the test starts next. It comes from below the
 * kernel's ephemeral range (32768-60999), so outgoing connections of this or any other process cannot
 * take it between this check and the child's bind.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await bindable(port, 'tcp')) && (await bindable(port, 'udp'))) return port;
  }
  throw new Error('no free port found in 20000..31999');
}

async function bindable(port: number, kind: 'tcp' | 'udp'): Promise<boolean> {
  const socket = kind === 'tcp' ? createServer() : createSocket('udp4');
  try {
    if (kind === 'tcp') (socket as ReturnType<typeof createServer>).listen(port, '127.0.0.1');
    else (socket as ReturnType<typeof createSocket>).bind(port, '127.0.0.1');
    await once(socket, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

/**
 * The environment of a pktgen a test starts: its helper cache, the test key file and a state folder
 * of its own (never ~/.cache, ~/.config or ~/.local/state; a node's remembered job ids never leak
 * into another test's node that happens to get the same port). The state folders sit beside the
 * test key file, in its temporary folder, removed with it when the test process exits; so does an
 * empty XDG_CONFIG_HOME.
 */
export function pktgenEnv(env: Record<string, string> = {}): Record<string, string> {
  const keyFile = testKeyFile();
  const state = mkdtempSync(join(dirname(keyFile), 'state-'));
  // An empty config folder of its own: a developer's ~/.config/pktgen/config.toml never changes a test.
  const config = mkdtempSync(join(dirname(keyFile), 'config-'));
  return { PKTGEN_CACHE_DIR: '/tmp/pktgen-test-cache', PKTGEN_KEY_FILE: keyFile, PKTGEN_STATE_DIR: state, XDG_CONFIG_HOME: config, ...env };
}

/** Starts `pktgen ARGS` in the background, with pktgenEnv(). */
export function spawnPktgen(args: string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; all: true }> {
  return execa(PKTGEN, args, { reject: false, all: true, env: pktgenEnv(env) });
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

/**
 * The result of `submit --wait --json`: its last line (the lines before it are the jobs'
 * measured intervals, one JSON object each).
 */
export function waitResult<T = unknown>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
