import { UserError } from '../errors.js';
import { Allowlist, LOOPBACK_CIDRS } from '../transport/allowlist.js';
import { formatAddress, type Address } from '../transport/address.js';

const LOOPBACK = new Allowlist(LOOPBACK_CIDRS, 'loopback');

/** The default of `--metrics` in help and docs: Prometheus' registered port for exporters like this one. */
export const METRICS_EXAMPLE = '127.0.0.1:9464';

/** True for 127.0.0.0/8, ::1 (IPv4-mapped too) and the name localhost. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || LOOPBACK.allows(host);
}

/**
 * The address `--metrics` may listen on: a loopback one, or any with `--metrics-public` (the
 * endpoint has no authentication: what it serves is counts and node names, never a key or a job's
 * target, but a public one is the operator's explicit choice). Exit 2 otherwise.
 */
export function checkMetricsAddress(address: Address, allowPublic: boolean): Address {
  if (allowPublic || isLoopback(address.host)) return address;
  throw new UserError(
    `--metrics ${formatAddress(address)}: ${address.host} is not a loopback address: expected 127.0.0.0/8, ::1 or localhost, or add --metrics-public to serve /metrics unauthenticated on it`,
    'ERR_INPUT',
  );
}
