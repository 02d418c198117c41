import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** The code of every error about a file or value the user wrote. */
export const ERR_INPUT = 'ERR_INPUT';

/** A JSON object, as far as validation is concerned. */
export type JsonObject = Record<string, unknown>;

const MAX_SHOWN = 40;

/** A value typed on a command line: a number when the text is a JSON number, else the text. */
export type Typed = number | string;

/** `1.5` -> 1.5, `ten` -> "ten": what the user typed, for the one job schema to check and name. */
export function typed(text: string): Typed {
  return /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : text;
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an integer number within [min, max]. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

// JSON leaves these two line breaks unescaped; a message must stay on one line.
const oneLine = (json: string): string => json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** A key or name as a JSON string on one line (U+2028 and U+2029 escaped too), for a location in a message. */
export const quoted = (text: string): string => oneLine(JSON.stringify(text));

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
  return oneLine(shown);
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
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${where}.${key}` : `${where}[${quoted(key)}]`;
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
    throw new UserError(`${file}: invalid JSON${describeSyntaxError(body, error)}`, ERR_INPUT, { cause: error });
  }
}

// Keyed by printParseErrorCode()'s names: the enum is a const enum, which isolated modules cannot read.
const REASONS: Record<string, string> = {
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a double-quoted property name',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control character inside a string (escape it)',
};

/**
 * ` at line L column C: reason` for text JSON.parse refused, located by jsonc-parser (which reports an
 * offset for every error, where V8's messages do not always carry one); V8's reason if it finds none.
 */
export function describeSyntaxError(text: string, error: SyntaxError): string {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return `: ${error.message.split('\n')[0]!.slice(0, 120)}`;
  const before = text.slice(0, first.offset).split(/\r\n|\r|\n/);
  const code = printParseErrorCode(first.error);
  const reason = first.offset >= text.trimEnd().length ? 'unexpected end of input'
    : code === 'InvalidSymbol' ? `unexpected ${showToken(text.slice(first.offset, first.offset + Math.max(1, Math.min(first.length, 12))))}`
      : REASONS[code] ?? code;
  return ` at line ${before.length} column ${before.at(-1)!.length + 1}: ${reason}`;
}

/** A token as written when printable ASCII, else as U+XXXX (a stray control character or NBSP). */
function showToken(token: string): string {
  if (/^[\x21-\x7e]+$/.test(token)) return token;
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
