import { Flags, Parser, type Interfaces } from '@oclif/core';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PktgenCommand } from '../base-command.js';
import { currentUid } from '../private-path.js';
import { configError, readConfigFile, type ConfigFile } from './file.js';
import { checkSetting, layerCandidates, layeredFlags, layerSettings, withoutRelations, type FlagDefinitions, type LayeredSetting } from './layer.js';
import { CONFIG_ENV, CONFIG_FILE_NAME, userConfigDir } from './paths.js';
import { defaultText, describeSource, formatConfig, type ConfigRow } from './print.js';

/** --config and --print-config, the flags of every command that reads a config file. */
export const configFlags = {
  config: Flags.string({ description: 'settings file, TOML, sections [serve] and [schedule]; a flag beats PKTGEN_<COMMAND>_<FLAG>, which beats the file [default: $PKTGEN_CONFIG, else $XDG_CONFIG_HOME/pktgen/config.toml]', helpValue: 'FILE' }),
  'print-config': Flags.boolean({ description: 'print each setting, its value and its source (flag, env, file:line, default); exit' }),
};

/**
 * A daemon command whose flags may also come from PKTGEN_<COMMAND>_<FLAG> environment variables and
 * from the [<command>] section of a config file: one layer over the oclif flag definitions, so a new
 * flag is covered with no more code.
 */
export abstract class ConfiguredCommand extends PktgenCommand {
  /**
   * Parses the command line with the environment and the config file under it. Returns the flags,
   * or undefined after printing them under --print-config (the command then does nothing more).
   */
  // oclif's own bounds (FlagOutput, ArgOutput) are not exported: these are what they stand for.
  protected async parseConfigured<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options: Interfaces.Input<F, B, A>,
  ): Promise<Interfaces.ParserOutput<F, B, A>['flags'] | undefined> {
    const command = this.id ?? '';
    const definitions = (options.flags ?? {}) as FlagDefinitions;
    // First the command line alone, for the flags it gives (--config among them). Relations between
    // flags wait for the full parse below: one side may come from the file.
    const loose = Object.fromEntries(Object.entries(definitions).map(([name, flag]) => [name, withoutRelations(flag)]));
    const first = await Parser.parse(this.argv, { flags: loose, args: options.args, strict: options.strict, context: this });
    const given = new Set(first.raw.flatMap((token) => (token.type === 'flag' ? [token.flag] : [])));
    const { path, file } = await this.configFile(first.flags.config as string | undefined);
    const input = { command, flags: definitions, given, env: process.env, file };
    const candidates = layerCandidates(input);
    for (const { name, setting } of candidates) await checkSetting(name, definitions[name]!, setting);
    const settings = layerSettings(input, candidates);
    const layered = [...settings.values()].flatMap((setting) => setting.tokens);
    // Before the command line: a `--` there would turn whatever follows it into arguments.
    const parsed = await this.parse(options, [...layered, ...this.argv]);
    if (!parsed.flags['print-config']) return parsed.flags;
    const inputs = (name: string) => first.raw.flatMap((token) => (token.type === 'flag' && token.flag === name ? [token.input] : []));
    this.log(formatConfig(command, { path, found: file !== undefined }, await configRows(definitions, settings, given, inputs, parsed.flags)));
    return undefined;
  }

  /** The config file: --config FILE (must exist), else $PKTGEN_CONFIG (must exist), else the default one if there. */
  private async configFile(flag: string | undefined): Promise<{ path: string | undefined; file: ConfigFile | undefined }> {
    const named = flag ? { path: flag, by: '--config' } : process.env[CONFIG_ENV] ? { path: process.env[CONFIG_ENV], by: `$${CONFIG_ENV}` } : undefined;
    if (named) {
      const file = await readConfigFile(named.path, currentUid());
      if (!file) throw configError(`config file ${named.path} (${named.by}) does not exist: expected a TOML file with [serve] and [schedule] sections`);
      return { path: named.path, file };
    }
    const folder = userConfigDir(process.env, () => safeHome());
    if (!folder) return { path: undefined, file: undefined };
    const path = join(folder, CONFIG_FILE_NAME);
    return { path, file: await readConfigFile(path, currentUid()) };
  }
}

/** The --print-config rows, in the order the flags are declared. */
async function configRows(
  definitions: FlagDefinitions,
  settings: Map<string, LayeredSetting>,
  given: ReadonlySet<string>,
  inputs: (name: string) => string[],
  flags: Record<string, unknown>,
): Promise<ConfigRow[]> {
  const rows: ConfigRow[] = [];
  for (const name of layeredFlags(definitions)) {
    const flag = definitions[name]!;
    const setting = settings.get(name);
    if (setting) rows.push({ name, value: setting.text, from: describeSource(setting.source, name) });
    // A boolean given as --flag or --no-flag: its value says which; other flags as typed, repeats joined.
    else if (given.has(name)) rows.push({ name, value: flag.type === 'boolean' ? String(flags[name]) : inputs(name).join(','), from: describeSource('flag', name) });
    else rows.push({ name, value: await defaultText(flag, flags[name]), from: describeSource('default', name) });
  }
  return rows;
}

function safeHome(): string {
  try {
    return homedir();
  } catch {
    return ''; // no HOME and no passwd entry: no default file
  }
}
