import type { Interfaces } from '@oclif/core';
import { escapeControl } from '../text.js';
import { location, type SettingSource } from './layer.js';

/** One line of --print-config: a flag, its value as given, and where the value came from. */
export interface ConfigRow {
  name: string;
  value: string;
  from: string;
}

/** What --print-config prints about the file: its path and whether it was read. */
export interface FileNote {
  path: string | undefined;
  found: boolean;
}

/** How a source reads in --print-config: `flag --port`, `env PKTGEN_SERVE_PORT`, `file PATH:LINE`. */
export function describeSource(source: SettingSource | 'flag' | 'default', name: string): string {
  if (source === 'flag') return `flag --${name}`;
  if (source === 'default') return 'default';
  if (source.kind === 'env') return `env ${source.name}`;
  return `file ${location(source.path, source.line)}`;
}

/**
 * A default as --help shows it: its defaultHelp, else the value the parse gave it (a default computed
 * from other flags too), else what a `[default: ...]` at the end of the description says (computed
 * later, at run time), in parentheses; `(none)` without one.
 */
export async function defaultText(flag: Interfaces.Flag<unknown>, value: unknown): Promise<string> {
  const help = (flag as { defaultHelp?: unknown }).defaultHelp;
  const shown = typeof help === 'function' ? await (help as (context: unknown) => Promise<string | undefined>)({ options: flag, flags: {} }) : help;
  if (shown !== undefined && shown !== null) return String(shown);
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : '(none)';
  if (['string', 'number', 'boolean'].includes(typeof value)) return String(value);
  if (flag.type === 'boolean') return 'false';
  const said = /\[default: ([^\]]*)\]$/.exec(flag.description ?? '');
  return said ? `(${said[1]})` : '(none)';
}

/** The --print-config text: a header naming the command and the file, then one aligned row per flag. */
export function formatConfig(command: string, file: FileNote, rows: ConfigRow[]): string {
  const fileLine = file.path === undefined ? 'none (no home folder)' : file.found ? file.path : `none (no file at ${file.path})`;
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const valueWidth = Math.min(40, Math.max(...rows.map((row) => escapeControl(row.value).length)));
  return [
    `# pktgen ${command}: each setting, its value and where it came from (flag > env > file > default)`,
    `# config file: ${escapeControl(fileLine)}`,
    ...rows.map((row) => `${row.name.padEnd(nameWidth)}  ${escapeControl(row.value).padEnd(valueWidth)}  ${escapeControl(row.from)}`),
  ].join('\n');
}
