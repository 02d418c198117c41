import { Flags, Parser, type Interfaces } from '@oclif/core';
import { KEY_FILE_ENV } from '../security/key-env.js';
import { STATE_DIR_ENV } from '../store/state-dir-env.js';
import { configError, type ConfigFile } from './file.js';

/** Where a setting that no flag gave came from. */
export type SettingSource = { kind: 'env'; name: string } | { kind: 'file'; path: string; line: number; key: string };

/** A setting taken from the environment or the config file: the argv tokens that carry it into oclif. */
export interface LayeredSetting {
  tokens: string[];
  /** The value as the user wrote it, for --print-config and errors. */
  text: string;
  source: SettingSource;
}

/** The flags of a command, as oclif declares them. */
export type FlagDefinitions = Record<string, Interfaces.Flag<unknown>>;

/** What the layer reads: the command, its flags, those given on the command line, the environment, the file. */
export interface LayerInput {
  command: string;
  flags: FlagDefinitions;
  given: ReadonlySet<string>;
  env: Record<string, string | undefined>;
  file?: ConfigFile | undefined;
}

/** Flags about the layer itself, or oclif's own: never taken from the environment or a file. */
const LAYER_FLAGS = new Set(['config', 'print-config', 'help', 'version']);
/**
 * Flags that act once, on the command line only: a --fresh kept in a file or a unit's environment
 * would forget the scheduler's saved state at every restart.
 */
const COMMAND_LINE_ONLY = new Set(['fresh']);
/** Names older than the per-command ones, shared by every command; the per-command name wins. */
const SHARED_ENV: Record<string, string> = { 'state-dir': STATE_DIR_ENV, 'key-file': KEY_FILE_ENV };
/** The commands that read a config file, each from the section of its name. */
const CONFIG_SECTIONS = ['serve', 'schedule'];
/** The setting the key itself would have: refused everywhere, since it must live in a key file. */
const KEY_SETTING = 'key';

/** PKTGEN_<COMMAND>_<FLAG>, capitals and underscores: PKTGEN_SERVE_PORT, PKTGEN_SCHEDULE_STATE_DIR. */
export function envName(command: string, flag: string): string {
  return `PKTGEN_${command}_${flag}`.toUpperCase().replaceAll('-', '_');
}

/** The flags the layer covers: every flag of the command but hidden test options and those above. */
export function layeredFlags(flags: FlagDefinitions): string[] {
  return Object.keys(flags).filter((name) => !LAYER_FLAGS.has(name) && !COMMAND_LINE_ONLY.has(name) && !flags[name]!.hidden);
}

/** The environment variables that may set `flag`, first wins. */
function envNames(command: string, flag: string): string[] {
  return SHARED_ENV[flag] ? [envName(command, flag), SHARED_ENV[flag]] : [envName(command, flag)];
}

/**
 * The settings of flags not given on the command line, from the environment, else the config file's
 * [command] section: precedence flag > environment > file > default. Pure. Throws UserError
 * ERR_CONFIG for an unknown PKTGEN_<COMMAND>_* variable or file key, a key in either, a wrong type.
 * `candidates`: layerCandidates(input), when the caller has them already.
 */
export function layerSettings(input: LayerInput, candidates = layerCandidates(input)): Map<string, LayeredSetting> {
  const settings = new Map<string, LayeredSetting>();
  // Candidates come environment first, so the first of a flag's is the one that wins.
  for (const { name, setting } of candidates) if (!input.given.has(name) && !settings.has(name)) settings.set(name, setting);
  return settings;
}

/**
 * Every setting the environment and the file hold, the overridden ones too (environment first):
 * a bad value is refused even while a flag hides it, not on the day the flag is dropped.
 */
export function layerCandidates(input: LayerInput): Array<{ name: string; setting: LayeredSetting }> {
  const covered = layeredFlags(input.flags);
  checkEnvironment(input, new Set(covered));
  if (input.file) checkFile(input.file, input.command, input.flags, new Set(covered));
  const section = input.file?.sections.get(input.command);
  const candidates: Array<{ name: string; setting: LayeredSetting }> = [];
  for (const name of covered) {
    const flag = input.flags[name]!;
    // Empty counts as unset, as for PKTGEN_STATE_DIR: a unit's `Environment=X=` clears a value.
    for (const variable of envNames(input.command, name)) {
      if (input.env[variable]) candidates.push({ name, setting: fromEnv(name, flag, variable, input.env[variable]) });
    }
    const setting = section?.settings.get(name);
    if (setting) candidates.push({ name, setting: fromFile(name, flag, input.file!.path, input.command, setting.value, setting.line) });
  }
  return candidates;
}

/**
 * Runs a setting through its flag's own oclif parser (ranges, options, custom parsers such as
 * durations), alone, so that a bad value is named by where it came from rather than as a flag.
 */
export async function checkSetting(name: string, flag: Interfaces.Flag<unknown>, setting: LayeredSetting): Promise<void> {
  try {
    await Parser.parse(setting.tokens, { flags: { [name]: withoutRelations(flag) }, strict: true });
  } catch (error) {
    throw settingError(setting.source, setting.text, `${expectation(error)} (--${name})`);
  }
}

/**
 * `flag` with no relation to other flags (--deadline needs --exit-when-done): for a parse of part of
 * the flags, whose relations are checked once all of them are known.
 */
export function withoutRelations(flag: Interfaces.Flag<unknown>): Interfaces.Flag<unknown> {
  return { ...flag, dependsOn: undefined, exclusive: undefined, exactlyOne: undefined, relationships: undefined, required: false } as Interfaces.Flag<unknown>;
}

function checkEnvironment(input: LayerInput, covered: ReadonlySet<string>): void {
  const prefix = envName(input.command, '');
  for (const variable of ['PKTGEN_KEY', envName(input.command, KEY_SETTING)]) {
    // The value is never echoed, not even in part.
    if (input.env[variable] !== undefined) {
      throw configError(`environment: ${variable}: the cluster key is never read from the environment, where other processes and logs may see it: keep it in a key file (pktgen keygen makes one, mode 0600) and name that file with ${envName(input.command, 'key-file')} or ${KEY_FILE_ENV}`);
    }
  }
  for (const variable of Object.keys(input.env)) {
    if (!variable.startsWith(prefix)) continue;
    const flag = variable.slice(prefix.length).toLowerCase().replaceAll('_', '-');
    if (covered.has(flag)) continue;
    const why = input.flags[flag] ? `--${flag} is taken from the command line only` : `no such setting: ${prefix}<FLAG> names a flag of pktgen ${input.command}, in capitals with _ for - (see pktgen ${input.command} --help)`;
    throw configError(`environment: ${variable}: ${why}`);
  }
}

function checkFile(file: ConfigFile, command: string, flags: FlagDefinitions, covered: ReadonlySet<string>): void {
  for (const [name, section] of file.sections) {
    if (CONFIG_SECTIONS.includes(name)) continue;
    throw configError(`${location(file.path, section.line)}: [${name}]: unknown section: expected ${CONFIG_SECTIONS.map((known) => `[${known}]`).join(' or ')}`);
  }
  for (const [key, setting] of file.sections.get(command)?.settings ?? []) {
    if (covered.has(key)) continue;
    const where = `${location(file.path, setting.line)}: ${command}.${key}`;
    if (key === KEY_SETTING) throw configError(`${where}: the cluster key never goes in a config file: keep it in a key file (pktgen keygen makes one, mode 0600) and name that file with key-file`);
    if (flags[key]) throw configError(`${where}: --${key} is taken from the command line only`);
    throw configError(`${where}: unknown setting: expected one of ${[...covered].join(', ')}`);
  }
}

function fromEnv(name: string, flag: Interfaces.Flag<unknown>, variable: string, text: string): LayeredSetting {
  const source: SettingSource = { kind: 'env', name: variable };
  if (flag.type === 'boolean') {
    const on = /^(1|true|yes|on)$/i.test(text);
    if (!on && !/^(0|false|no|off)$/i.test(text)) throw settingError(source, text, 'expected true or false (or 1/0, yes/no, on/off)');
    return { tokens: booleanTokens(name, flag, on), text: String(on), source };
  }
  // A flag with a delimiter (--allow-from) splits the one value itself, as on the command line.
  return { tokens: [`--${name}=${text}`], text, source };
}

function fromFile(name: string, flag: Interfaces.Flag<unknown>, path: string, command: string, value: unknown, line: number): LayeredSetting {
  const source: SettingSource = { kind: 'file', path, line, key: `${command}.${name}` };
  const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
  if (flag.type === 'boolean') {
    if (typeof value !== 'boolean') throw settingError(source, text, 'expected true or false');
    return { tokens: booleanTokens(name, flag, value), text, source };
  }
  const scalar = (item: unknown): item is string | number => typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item));
  if (flag.multiple && Array.isArray(value)) {
    if (!value.every(scalar)) throw settingError(source, text, 'expected a list of strings');
    return { tokens: value.map((item) => `--${name}=${item}`), text, source };
  }
  if (!scalar(value)) throw settingError(source, text, flag.multiple ? 'expected a string or a list of strings' : isInteger(flag) ? 'expected an integer' : 'expected a string');
  return { tokens: [`--${name}=${value}`], text, source };
}

/** Flags.integer() flags share oclif's one integer parser. */
const INTEGER_PARSE = Flags.integer().parse;
const isInteger = (flag: Interfaces.Flag<unknown>): boolean => flag.type === 'option' && flag.parse === INTEGER_PARSE;

/** A boolean flag set to `on`: --flag, --no-flag, or nothing where false is the only other value. */
function booleanTokens(name: string, flag: Interfaces.Flag<unknown>, on: boolean): string[] {
  if (on) return [`--${name}`];
  return flag.type === 'boolean' && flag.allowNo ? [`--no-${name}`] : [];
}

/** `<where>: <field> = <value>: <expected>`, the one error shape of pktgen's input. */
function settingError(source: SettingSource, text: string, expected: string): Error {
  const where = source.kind === 'env' ? `environment: ${source.name}` : `${location(source.path, source.line)}: ${source.key}`;
  return configError(`${where} = ${text}: ${expected}`);
}

/** A place in the config file: `PATH:LINE`, or the path alone when the line is not known (0). */
export function location(path: string, line: number): string {
  return line > 0 ? `${path}:${line}` : path;
}

/** What a flag parser's failure says is expected, in pktgen's words where oclif's differ. */
function expectation(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // pktgen's own parsers (durations, addresses) already say `...: expected ...`.
  const ours = /: (expected [^\n]*)/.exec(message);
  if (ours) return ours[1]!;
  // oclif's: `Expected an integer less than or equal to 65535 but received: 99999`, or
  // `Expected --log-format=x to be one of: human, json`, inside a `Parsing --port` wrapper.
  const oclif = /Expected (?:--[\w-]+=\S* to be )?([^\n]*?)(?: but received: [^\n]*)?(?:\n|$)/.exec(message);
  return oclif ? `expected ${oclif[1]}` : `expected a valid value: ${message.split('\n')[0]}`;
}
