import { constants, promises as fs } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { UserError } from '../errors.js';
import { privateProblem } from '../private-path.js';

/** One setting of a config file: its parsed TOML value and the line it is on (0 if not found). */
export interface FileSetting {
  value: unknown;
  line: number;
}

/** One [section] of a config file: the line of its header (0 if not found) and its settings by key. */
export interface ConfigSection {
  line: number;
  settings: Map<string, FileSetting>;
}

/** A parsed config file: its sections by name. */
export interface ConfigFile {
  path: string;
  sections: Map<string, ConfigSection>;
}

/** Far larger than any config file: a reader stops there rather than reading a wrong path to the end. */
const MAX_FILE_BYTES = 1 << 20;

/**
 * Reads, checks and parses the TOML config file at `path`; undefined when there is none. Refuses
 * (UserError ERR_CONFIG, exit 2): anything but a regular file, a file owned by another user than `uid`
 * or writable by group or others (it can widen --allow-from and name the key file), a file that is not
 * TOML, top-level keys that are not tables (sections).
 */
export async function readConfigFile(path: string, uid: number): Promise<ConfigFile | undefined> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the open; it is refused as not a file.
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw configError(`config file ${path} cannot be read (${code ?? (error as Error).message})`);
  }
  let text: string;
  try {
    // fstat of the open file: the checks and the read are about the same file (a link is judged by its target).
    const found = privateProblem(path, await handle.stat(), uid, 'file', 0o644);
    if (found) throw configError(`config file ${found.problem}, so another user could change how pktgen runs: run \`${found.fix}\``);
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_FILE_BYTES) throw configError(`config file ${path} is larger than ${MAX_FILE_BYTES} bytes: expected a small TOML file`);
    text = buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
  return { path, sections: parseConfigText(text, path) };
}

/** Parses config text (TOML) into sections; `path` names the file in errors. */
export function parseConfigText(text: string, path: string): Map<string, ConfigSection> {
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml's message carries a code excerpt after its first line: the location says enough.
    throw configError(`${path}:${error.line}:${error.column}: ${error.message.split('\n')[0]}: expected a TOML file with [serve] and [schedule] sections`);
  }
  const lines = keyLines(text);
  const sections = new Map<string, ConfigSection>();
  for (const [section, table] of Object.entries(document)) {
    if (table === null || typeof table !== 'object' || Array.isArray(table) || table instanceof Date) {
      throw configError(`${path}:${lines.get(`.${section}`) ?? 0}: ${section} = ${String(table)}: expected a section such as [serve] or [schedule], with the settings inside it`);
    }
    const settings = new Map<string, FileSetting>();
    for (const [key, value] of Object.entries(table)) settings.set(key, { value, line: lines.get(`${section}.${key}`) ?? 0 });
    sections.set(section, { line: lines.get(`[${section}]`) ?? 0, settings });
  }
  return sections;
}

/**
 * The line of each `section.key` (`.key` at the top), from a scan of `[section]` headers and
 * `key =` lines: smol-toml gives no positions, and config files keep to this plain shape. A key the
 * scan misses (dotted keys, inline tables) gets line 0 and its messages name the file alone.
 */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let section = '';
  for (const [index, line] of text.split('\n').entries()) {
    const header = /^\s*\[\s*"?([\w-]+)"?\s*\]/.exec(line);
    if (header) {
      section = header[1]!;
      if (!lines.has(`[${section}]`)) lines.set(`[${section}]`, index + 1);
      continue;
    }
    const key = /^\s*"?([\w-]+)"?\s*=/.exec(line);
    if (key && !lines.has(`${section}.${key[1]}`)) lines.set(`${section}.${key[1]}`, index + 1);
  }
  return lines;
}

/** A config problem the user can fix: exit 2. */
export function configError(message: string): UserError {
  return new UserError(message, 'ERR_CONFIG');
}
