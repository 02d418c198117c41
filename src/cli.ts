import { dirname } from 'node:path';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { type Command, Errors, flush, handle, type Interfaces, Plugin, run } from '@oclif/core';
import packageJson from '../package.json' with { type: 'json' };
import { PktgenError, UserError } from './errors.js';
import { COMMANDS } from './index.js';

const PJSON = packageJson as Interfaces.PJSON;

/** Runs the pktgen CLI on `argv` (the arguments after the program name); exits non-zero on failure. */
export async function main(argv: string[], commands: Record<string, Command.Class> = COMMANDS): Promise<void> {
  try {
    await run(argv, await loadOptions(commands));
    await flush();
  } catch (error) {
    const failure = describeFailure(error);
    // oclif's own errors (bad flags, unknown command, this.exit()) keep oclif's output and exit codes.
    if (!failure) return handle(error as Error);
    process.stderr.write(`${failure.text}\n`);
    process.exit(failure.exitCode);
  }
}

/**
 * oclif load options whose root plugin takes its commands from `commands`: the "explicit" strategy
 * would import `oclif.commands.target` from disk, and there is no such file inside the bundle.
 */
export async function loadOptions(
  commands: Record<string, Command.Class>,
  root: string = programRoot(),
): Promise<Interfaces.LoadOptions> {
  const plugin = new Plugin({ ignoreManifest: true, isRoot: true, pjson: PJSON, root });
  // Plugin.loadCommandsFromTarget() returns this cache once it is set, before importing anything.
  Object.assign(plugin, { commandCache: commands });
  await plugin.load();
  // Passing the plugin map also stops oclif from looking for user, dev and core plugins on disk.
  return { pjson: PJSON, plugins: new Map([[plugin.name, plugin]]), root };
}

/** How an error reaches the user: text for stderr and an exit code, or undefined to let oclif handle it. */
export function describeFailure(error: unknown): { exitCode: number; text: string } | undefined {
  if (error instanceof Errors.CLIError) return undefined;
  if (error instanceof UserError) return { exitCode: error.exitCode, text: `Error: ${error.message}` };
  if (error instanceof PktgenError) return { exitCode: 1, text: `Error: ${error.message}` };
  const details = error instanceof Error ? inspect(error) : `Thrown value: ${inspect(error)}`;
  return {
    exitCode: 1,
    text: `${details}\npktgen hit a bug: please report it with the output above and \`pktgen --version\`.`,
  };
}

// Where oclif considers the CLI installed: the executable's folder, or the checkout holding src/ or dist/.
function programRoot(): string {
  return isSea() ? dirname(process.execPath) : fileURLToPath(new URL('..', import.meta.url));
}
