import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { lineColumn, syntaxErrorOffset } from './json-scan.js';

/** The code of every error about a file or value the user wrote. */
export const ERR_INPUT = 'ERR_INPUT';

/** A JSON object, as far as validation is concerned. */
export type JsonObject = Record<string, unknown>;

const MAX_SHOWN = 40;

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an integer number within [min, max]. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Renders a value for a one-line message: JSON, strings quoted, long values cut with "...". */
export function showValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') {
    shown = JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN - 3)}...` : value);
  } else if (typeof value === 'number') {
    shown = String(value); // JSON.stringify would show 1e400 (Infinity) as null
  } else {
    shown = stringifyShallow(value);
    if (shown.length > MAX_SHOWN) shown = `${shown.slice(0, MAX_SHOWN - 3)}...`;
  }
  // JSON leaves these two line breaks unescaped; the message must stay on one line.
  return shown.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JSON.stringify, except that nesting too deep for it (JSON.parse takes any depth) shows as [...]. */
function stringifyShallow(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? '[...]' : '{...}';
  }
}

/** Extends a location (`file: $.jobs[2]`) by an object key or an array index. */
export function at(where: string, key: string | number): string {
  if (typeof key === 'number') return `${where}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${where}.${key}` : `${where}[${JSON.stringify(key)}]`;
}

/**
 * The one-line ERR_INPUT error: `file: $.path = value: problem`, or `file: $.path is missing: ...`
 * when the value is undefined (JSON has no undefined, so that always means "absent").
 */
export function inputError(where: string, value: unknown, problem: string): UserError {
  const subject = value === undefined ? `${where} is missing` : `${where} = ${showValue(value)}`;
  return new UserError(`${subject}: ${problem}`, ERR_INPUT);
}

/** Parses JSON text, turning a syntax error into `file: invalid JSON at line L column C: reason`. */
export function parseJsonText(text: string, file: string, expected: string): unknown {
  // Editors on Windows may save a byte-order mark; it is not JSON but carries no meaning either.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw new UserError(`${file}: file is empty: expected ${expected}`, ERR_INPUT);
  try {
    return JSON.parse(body);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const { reason, offset } = describeSyntaxError(error.message, body);
    const spot = offset === undefined ? undefined : lineColumn(body, offset);
    const place = spot ? ` at line ${spot.line} column ${spot.column}` : '';
    throw new UserError(`${file}: invalid JSON${place}: ${reason}`, ERR_INPUT, { cause: error });
  }
}

/**
 * Splits a V8 (Node 24) JSON.parse message into a short reason and an offset. Two shapes exist:
 * `<reason> [in JSON] at position N (line L column C)`, and `Unexpected token 'x', "<snippet>" is not
 * valid JSON` / `Unexpected end of JSON input` without a position, which we then find ourselves.
 */
export function describeSyntaxError(message: string, text: string): { reason: string; offset?: number } {
  const positioned = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  if (positioned) return { reason: positioned[1]!, offset: Number(positioned[2]) };
  const token = /^Unexpected token '(.+?)', /s.exec(message);
  const reason = token ? `Unexpected token ${showToken(token[1]!)}` : message.split('\n')[0]!.slice(0, 120);
  return { reason, offset: syntaxErrorOffset(text) };
}

/** A token as written when printable ASCII, else as U+XXXX (a stray control character or NBSP). */
function showToken(token: string): string {
  if (/^[\x21-\x7e]$/.test(token)) return token;
  return [...token].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

/** Reads a whole file; a failure becomes `path: cannot read file: ENOENT (no such file)`. */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code === undefined ? (error as Error).message : `${code} (${READ_ERRORS[code] ?? (error as Error).message})`;
    throw new UserError(`${path}: cannot read file: ${detail}`, ERR_INPUT, { cause: error });
  }
}
