import type { JobData } from './types.js';
import { JOB_LIMITS } from '../protocol/limits.js';
import { at, inputError, isIntegerIn, isObject, type JsonObject } from './json-input.js';

const { maxFrame: MAX_FRAME, minFrame: MIN_FRAME, maxRateMbps, maxDurationS, maxFlows } = JOB_LIMITS;

interface IntegerRule {
  min: number;
  max: number;
  expected: string;
  /** The value when the field is absent (pktgen files); absent = required when undefined. */
  fallback?: number;
}

const INTEGERS = {
  m: { min: 0, max: maxRateMbps, expected: `an integer rate 0..${maxRateMbps} Mbit/s (0 = as fast as possible)` },
  t: { min: 1, max: maxDurationS, expected: `an integer duration 1..${maxDurationS} s` },
  w: { min: 0, max: maxDurationS, expected: `an integer warm-up 0..${maxDurationS} s`, fallback: 0 },
  n: { min: 0, max: maxFlows, expected: `an integer flow count 0..${maxFlows} (0 = 1 flow)`, fallback: 1 },
  s_min: { min: MIN_FRAME, max: MAX_FRAME, expected: `an integer frame size ${MIN_FRAME}..${MAX_FRAME}` },
} satisfies Record<string, IntegerRule>;

/** Every key "data" may hold, in wire order. */
export const JOB_DATA_KEYS: readonly string[] = ['m', 't', 'w', 'n', 's_min', 's_max', 'r', 'l'];
const JOB_KEYS = ['nodes', 'priority', 'target', 'timeout', 'retries'];

/**
 * Checks a job's "data" object at `where` (e.g. `jobs.json: $.jobs[2].data`) and fills defaults.
 * Unknown keys are rejected: "data" becomes the wire message, and a typo such as "s_mx" would
 * otherwise silently send different traffic (s_max = 0, every frame s_min bytes). An optional
 * field that is null counts as absent: JSON writers often emit null for "not set".
 */
export function validateJobData(data: unknown, where: string): JobData {
  if (!isObject(data)) throw inputError(where, data, 'expected an object {"m": ..., "t": ..., "s_min": ...}');
  for (const key of Object.keys(data)) {
    if (!JOB_DATA_KEYS.includes(key)) throw inputError(at(where, key), data[key], unknownKeyProblem(key));
  }
  const m = integer(data, where, 'm');
  const t = integer(data, where, 't');
  const w = integer(data, where, 'w');
  const n = integer(data, where, 'n');
  const sMin = integer(data, where, 's_min');
  const sMax = data.s_max ?? 0;
  if (sMax !== 0 && !isIntegerIn(sMax, sMin, MAX_FRAME)) {
    throw inputError(at(where, 's_max'), sMax, `expected 0 (= s_min) or an integer frame size ${sMin}..${MAX_FRAME}`);
  }
  return { m, t, w, n, s_min: sMin, s_max: sMax as number, r: boolean(data, where, 'r'), l: boolean(data, where, 'l') };
}

function integer(data: JsonObject, where: string, key: keyof typeof INTEGERS): number {
  const rule: IntegerRule = INTEGERS[key];
  const value = data[key];
  if ((value === undefined || value === null) && rule.fallback !== undefined) return rule.fallback;
  if (!isIntegerIn(value, rule.min, rule.max)) throw inputError(at(where, key), value, `expected ${rule.expected}`);
  return value;
}

function boolean(data: JsonObject, where: string, key: 'r' | 'l'): boolean {
  const value = data[key] ?? false;
  // Python protobuf bool fields take 0 and 1 too, so a legacy file may carry them.
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== 'boolean') throw inputError(at(where, key), value, 'expected true or false');
  return value;
}

function unknownKeyProblem(key: string): string {
  if (JOB_KEYS.includes(key)) return `"${key}" belongs in the job, next to "data", not inside it`;
  const guess = JOB_DATA_KEYS.find((known) => looksLike(key, known));
  return `unknown field${guess ? ` (did you mean "${guess}"?)` : ''}; expected only ${JOB_DATA_KEYS.join(', ')}`;
}

/** A likely typo: same letters ignoring case and separators, or one edit apart (both 3+ chars). */
function looksLike(typed: string, known: string): boolean {
  const bare = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (bare(typed) === bare(known)) return true;
  if (typed.length < 3 || known.length < 3 || Math.abs(typed.length - known.length) > 1) return false;
  const [short, long] = typed.length <= known.length ? [typed, known] : [known, typed];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  if (short.length < long.length) return short.slice(i) === long.slice(i + 1);
  // Same length: one substitution, or two neighbours swapped.
  return short.slice(i + 1) === long.slice(i + 1) || (short[i] === long[i + 1] && short[i + 1] === long[i] && short.slice(i + 2) === long.slice(i + 2));
}
