import { arch } from 'node:os';
import packageJson from '../package.json' with { type: 'json' };

// The program's entry (dist/pktgen.mjs, bin/dev.js): everything else, oclif included, is imported
// only when a command runs, so that `pktgen --version` starts as fast as Node itself does.

/** The flags that ask for the version: oclif's --version and package.json's additionalVersionFlags (-v). */
const VERSION_FLAGS = new Set(['--version', ...packageJson.oclif.additionalVersionFlags]);

/** Whether oclif would print the version for `argv`: it looks only at the first argument. */
export function asksVersion(argv: readonly string[]): boolean {
  return argv[0] !== undefined && VERSION_FLAGS.has(argv[0]);
}

/**
 * The line `--version` prints, as oclif's config.userAgent has it: name/version platform-arch
 * node-version (oclif says "wsl" for the platform under WSL; this says "linux" there).
 */
export function versionLine(): string {
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  return `${packageJson.oclif.bin}/${packageJson.version} ${process.platform}-${cpu} node-${process.version}`;
}

/** Runs the pktgen CLI on `argv` (the arguments after the program name); see src/cli.ts. */
export async function main(argv: string[]): Promise<void> {
  if (asksVersion(argv)) {
    process.stdout.write(`${versionLine()}\n`);
    return;
  }
  const cli = await import('./cli.js');
  await cli.main(argv);
}
