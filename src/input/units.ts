/**
 * The one reading of a number with a unit ("2.5M", "500us", "0.1%", "90s") and the one wording of
 * its error, for every quantity a user types. Each quantity below declares its units and the few
 * ways its grammar is narrower than the shared one; the value comes back exact, as a fraction.
 */

/** How one kind of quantity is written. */
export interface Quantity {
  /** Each unit's spelling and how many base units one of it is (a rate's base unit: 1 bit/s). */
  units: Readonly<Record<string, bigint>>;
  /** The unit (a key of `units`) of a number written alone, and its name for errors; absent: a unit is required. */
  bare?: { unit: string; shown: string };
  /** Units in any letter case ("500K", "2.5mbit/s"). */
  caseless?: boolean;
  /** Whole numbers only: no decimal point. */
  whole?: boolean;
  /** No space between the number and its unit ("90s", not "90 s"). */
  tight?: boolean;
  /** The units as an error lists them: "s, m, h or d". */
  shown: string;
  /** Values as an error shows them: "90s, 30m, 2h, 7d". */
  examples: string;
}

/** A number and unit as read: the number as written, and its exact value in base units, num / den. */
export interface Amount {
  decimal: string;
  unit: string;
  num: bigint;
  den: bigint;
}

// Spaces around the whole are fine everywhere; the unit is whatever follows the number.
const AMOUNT = /^\s*(\d+)(?:\.(\d+))?(\s*)(.*?)\s*$/s;

/** Reads `text` as a number and one of `quantity`'s units, or undefined when it is not one. */
export function readAmount(text: string, quantity: Quantity): Amount | undefined {
  const match = AMOUNT.exec(text);
  if (!match) return undefined;
  const [, whole, fraction = '', space, written] = match as unknown as [string, string, string | undefined, string, string];
  if (quantity.whole && fraction !== '') return undefined;
  if (quantity.tight && space !== '' && written !== '') return undefined;
  const unit = written === '' ? quantity.bare?.unit : quantity.caseless ? written.toLowerCase() : written;
  if (unit === undefined || !Object.hasOwn(quantity.units, unit)) return undefined;
  return { decimal: fraction ? `${whole}.${fraction}` : whole, unit, num: BigInt(whole + fraction) * quantity.units[unit]!, den: 10n ** BigInt(fraction.length) };
}

/** The amount as a whole number of base units, or undefined when it has a fraction of one. */
export function wholeUnits(amount: Amount): bigint | undefined {
  return amount.num % amount.den === 0n ? amount.num / amount.den : undefined;
}

/** The amount in base units, rounded to the nearest whole one (halves up). */
export function roundedUnits(amount: Amount): bigint {
  return (amount.num * 2n + amount.den) / (amount.den * 2n);
}

/**
 * What an error expects of such a quantity: "a loss 0%..100%: a number and a unit, % (e.g. 0.1%)".
 * `what` names the quantity and its range; `note` is said last, in brackets.
 */
export function expectedAmount(what: string, quantity: Quantity, note = ''): string {
  const number = quantity.whole ? 'a whole number' : 'a number';
  const bare = quantity.bare === undefined ? '' : `, or ${number} alone for ${quantity.bare.shown}`;
  return `${what}: ${number} and a unit, ${quantity.shown}${bare} (e.g. ${quantity.examples})${note ? ` (${note})` : ''}`;
}

/**
 * Rates of frame bytes, in bit/s: "1.5" (Mbit/s, the unit of the legacy "m"), "500k", "2.5M",
 * "10Gbit/s". "bit/s" or "bps" needs its k, M or G: a bare number is Mbit/s, so "64bps" would read
 * as 64 Mbit/s, which is not what it says.
 */
export const RATE: Quantity = {
  units: Object.fromEntries(Object.entries({ k: 10n ** 3n, m: 10n ** 6n, g: 10n ** 9n })
    .flatMap(([prefix, bps]) => [[prefix, bps], [`${prefix}bit/s`, bps], [`${prefix}bps`, bps]])),
  bare: { unit: 'm', shown: 'Mbit/s' },
  caseless: true,
  shown: 'k, M or G',
  examples: '1.5, 500k, 2.5M, 10G',
};

/** Durations, in milliseconds: "90s", "30m", "2h", "7d". */
export const DURATION: Quantity = {
  units: { s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n },
  whole: true,
  tight: true,
  shown: 's, m, h or d',
  examples: '90s, 30m, 2h, 7d',
};

/** Round-trip times, in nanoseconds: "500us", "0.3ms", "1s". */
export const RTT: Quantity = {
  units: { us: 1000n, 'µs': 1000n, ms: 1_000_000n, s: 1_000_000_000n },
  shown: 'us, ms or s',
  examples: '500us',
};

/** Percentages: "0.1%"; the base unit is 1 %. */
export const PERCENT: Quantity = {
  units: { '%': 1n },
  shown: '%',
  examples: '0.1%',
};
