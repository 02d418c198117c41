import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let shared: string | undefined;

/**
 * Writes a new key file (mode 0600, the format pktgen keygen writes) in a temporary folder of its
 * own, removed when the test process exits, and returns its path.
 */
export function makeKeyFile(name = 'cluster.key'): string {
  const folder = mkdtempSync(join(tmpdir(), 'pktgen-key-'));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, name);
  writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return path;
}

/** The key file every built binary a test starts uses (as PKTGEN_KEY_FILE), so none touches ~/.config. */
export function testKeyFile(): string {
  shared ??= makeKeyFile();
  return shared;
}
