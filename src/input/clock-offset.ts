import { UserError } from '../errors.js';
import { expectedAmount, readAmount, roundedUnits, RTT, type Quantity } from './units.js';

/** A clock offset is written like an RTT (us, ms or s, in ns), with a sign. */
const OFFSET: Quantity = { ...RTT, examples: '-1.5ms, 250us' };
/** The largest offset a clock can be declared to have: beyond 1000 s nothing is synchronised. */
const MAX_OFFSET_NS = 1_000_000_000_000n;

/**
 * A clock offset the operator declares (`serve --clock-offset`): this host's clock minus the reference
 * clock (NTP/PTP), signed, with a unit ("-1.5ms", "250us", "0us"); returns whole ns.
 */
export function parseClockOffsetNs(text: string, flag: string): number {
  const sign = /^\s*([+-]?)(.*)$/s.exec(text)!;
  const amount = readAmount(sign[2]!, OFFSET);
  const ns = amount === undefined ? undefined : roundedUnits(amount);
  if (ns === undefined || ns > MAX_OFFSET_NS) {
    throw new UserError(`${flag} "${text}": expected ${expectedAmount('this clock minus the reference clock, signed, within 1000s either way', OFFSET)}`, 'ERR_USAGE');
  }
  return Number(sign[1] === '-' ? -ns : ns);
}
