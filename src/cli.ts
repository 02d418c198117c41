import { dirname, relative } from 'node:path';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { flush, handle, type Interfaces, Plugin, run } from '@oclif/core';
import packageJson from '../package.json' with { type: 'json' };
import { describeFailure } from './failure.js';

// What package.json's oclif section points at: the commands and hooks are exported from here.
export { COMMANDS } from './index.js';
export { commandNotFound } from './not-found.js';

const PJSON = packageJson as Interfaces.PJSON;

/** A command or hook declaration in package.json: the module and the name it exports. */
interface Targeted {
  target: string;
  identifier: string;
}

/**
 * Runs the pktgen CLI on `argv` (the arguments after the program name); exits non-zero on failure.
 * `entry` is the URL of the module exporting COMMANDS and the hooks: this one, wherever it runs from.
 */
export async function main(argv: string[], entry: string = import.meta.url): Promise<void> {
  try {
    await run(argv, await loadOptions(entry));
    await flush();
  } catch (error) {
    const failure = describeFailure(error);
    // oclif's own errors (bad flags, this.exit()) keep oclif's output and exit codes.
    if (!failure) return handle(error as Error);
    process.stderr.write(`${failure.text}\n`);
    process.exit(failure.exitCode);
  }
}

/**
 * oclif load options for the root plugin, with package.json's command and hook targets (./src/cli.ts)
 * pointed at `entry`. oclif's "explicit" strategy imports that target; the same code runs from
 * src/cli.ts (bin/dev.js), the chunk of dist/ that src/main.ts imports it as (bin/run.js), or the
 * single executable, whose sea/main.cjs serves the bundle's files under file URLs from memory, so the
 * target is wherever this module was loaded from. Importing it again is free: it is already running.
 */
export async function loadOptions(entry: string, root: string = programRoot()): Promise<Interfaces.LoadOptions> {
  const target = relative(root, fileURLToPath(entry));
  const retarget = <T extends Targeted>(option: T): T => ({ ...option, target });
  const declared = PJSON.oclif as unknown as { commands: Targeted & { strategy: 'explicit' }; hooks: Record<string, Targeted> };
  const pjson: Interfaces.PJSON = {
    ...PJSON,
    oclif: {
      ...PJSON.oclif,
      commands: retarget(declared.commands),
      hooks: Object.fromEntries(Object.entries(declared.hooks).map(([event, hook]) => [event, retarget(hook)])),
    },
  };
  // No manifest file: the commands are read from the target each time (it is in memory anyway).
  const plugin = new Plugin({ ignoreManifest: true, isRoot: true, pjson, root });
  await plugin.load();
  // Passing the plugin map also stops oclif from looking for user, dev and core plugins on disk.
  return { pjson, plugins: new Map([[plugin.name, plugin]]), root };
}

// Where oclif considers the CLI installed: the executable's folder, or the checkout holding src/ or dist/.
function programRoot(): string {
  return isSea() ? dirname(process.execPath) : fileURLToPath(new URL('..', import.meta.url));
}
