import { UserError } from '../errors.js';
import { RTT_UNIT_US } from './job.js';

const OFFSET = /^\s*([+-]?\d+(?:\.\d+)?)\s*(us|µs|ms|s)\s*$/;
/** The largest offset a clock can be declared to have: beyond 1000 s nothing is synchronised. */
const MAX_OFFSET_NS = 1e12;

/**
 * A clock offset the operator declares (`serve --clock-offset`): this host's clock minus the reference
 * clock (NTP/PTP), signed, with a unit, us, ms or s ("-1.5ms", "250us", "0us"); returns whole ns.
 */
export function parseClockOffsetNs(text: string, flag: string): number {
  const match = OFFSET.exec(text);
  const ns = match ? Math.round(Number(match[1]) * RTT_UNIT_US[match[2] as keyof typeof RTT_UNIT_US] * 1000) : NaN;
  if (!(Math.abs(ns) <= MAX_OFFSET_NS)) {
    throw new UserError(`${flag} "${text}": expected this clock minus the reference clock with a unit, us, ms or s, within +-1000s, e.g. -1.5ms or 250us`, 'ERR_USAGE');
  }
  return ns;
}
