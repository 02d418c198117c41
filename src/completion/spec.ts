import type { Command } from '@oclif/core';

/** One flag as completion needs it. */
export interface FlagSpec {
  name: string;
  char?: string | undefined;
  summary: string;
  /** Takes a value (an option flag), else a switch. */
  takesValue: boolean;
  /** The values it accepts, when there is a closed list. */
  options?: readonly string[] | undefined;
  /** Its value names a file or folder (complete file names), judged by the value's name. */
  takesPath: boolean;
  multiple: boolean;
  /** A boolean flag that also has a --no- form. */
  allowNo: boolean;
}

/** One command as completion needs it. */
export interface CommandSpec {
  id: string;
  summary: string;
  flags: FlagSpec[];
  /** Values for the first argument: a closed list, or every command id (`help COMMAND`). */
  argValues?: readonly string[] | undefined;
}

/** The first line of a help text without its [default: ...] note: what a completion menu shows beside it. */
function firstLine(text: string | undefined, bin: string): string {
  const line = (text ?? '').split('\n')[0]!.replaceAll('<%= config.bin %>', bin);
  return line.replace(/\s*\[default:[^\]]*\]/, '').trim();
}

// Value names that are paths: --key-file FILE, --state-dir, -j jobs.json, -n nodes.json, keygen --out.
const PATH_FLAG = /(^|-)(file|dir|jobs|nodes|out)$/;

/** The visible commands and flags of an oclif CLI, sorted, as the completion scripts list them. */
export function completionSpec(bin: string, commands: readonly Command.Loadable[]): CommandSpec[] {
  const visible = commands.filter((command) => !command.hidden).sort((a, b) => a.id.localeCompare(b.id));
  const ids = visible.map((command) => command.id);
  return visible.map((command) => {
    const firstArg = Object.values(command.args)[0];
    return {
      id: command.id,
      summary: firstLine(command.summary ?? command.description, bin),
      flags: Object.entries(command.flags)
        .filter(([, flag]) => !flag.hidden)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, flag]) => ({
          name,
          char: flag.char,
          summary: firstLine(flag.summary ?? flag.description, bin),
          takesValue: flag.type === 'option',
          options: flag.type === 'option' ? flag.options : undefined,
          takesPath: flag.type === 'option' && !flag.options && (flag.helpValue === 'FILE' || PATH_FLAG.test(name)),
          multiple: flag.type === 'option' && Boolean(flag.multiple),
          allowNo: flag.type === 'boolean' && Boolean(flag.allowNo),
        })),
      // oclif's help command takes command ids; any other first argument offers its declared options.
      argValues: command.id === 'help' ? ids : firstArg?.options,
    };
  });
}
