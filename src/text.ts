// Characters that would let a peer's text move the cursor, retitle the terminal, start a new log
// line or reorder what is shown: C0 controls (tab and newline included), DEL, the C1 controls
// (U+0080-U+009F, which some terminals read as ESC [ and friends), the line and paragraph
// separators, and the bidirectional overrides and isolates.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

// What JSON.stringify leaves raw: it escapes C0 inside strings itself, and writes only ASCII (with
// layout whitespace when indenting) outside them, so every match is inside a string.
const JSON_UNSAFE = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (char: string, digits: number): string => char.charCodeAt(0).toString(16).padStart(digits, '0');

/**
 * Text that is safe to show on a terminal or in a one-line record: each control character becomes
 * `\xNN` (a line break is `\x0a`, ESC `\x1b`), the separators and bidi controls `\uNNNN`.
 * A backslash is left as it is, so escaping twice changes nothing more than escaping once.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (char) => (char.charCodeAt(0) > 0xff ? `\\u${hex(char, 4)}` : `\\x${hex(char, 2)}`));
}

/**
 * JSON text (as JSON.stringify writes it) with the characters JSON leaves raw but a terminal may act
 * on (DEL, C1, separators, bidi controls) as `\uNNNN` escapes: the same JSON value, safe to print.
 */
export function escapeJsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (char) => `\\u${hex(char, 4)}`);
}

/** A time (ms since the epoch) as JSON and CSV write it: ISO 8601 UTC with milliseconds; 0 (not yet) is null. */
export function isoTime(ms: number): string | null {
  return ms > 0 ? new Date(ms).toISOString() : null;
}
