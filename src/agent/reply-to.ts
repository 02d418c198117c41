import { BlockList, isIP } from 'node:net';
import { formatAddress, normaliseHost, parseAddress, parsePort, type Address } from '../transport/address.js';
import { describeError } from '../errors.js';
import type { Allowlist } from '../transport/allowlist.js';

/** Where a job's statuses go; `refused` or `ignored` say why its reply_to was not taken. */
export interface ReplyAddress {
  to: Address;
  /** The reply_to names a host the node may not connect to: the job gets FAIL (at `to`) and does not run. */
  refused?: string;
  /** The reply_to does not parse: the job runs, its statuses go to `to` (the pre-guardrail behaviour). */
  ignored?: string;
}

/**
 * Where the statuses of a job received from `sourceHost` go: its reply_to, else `sourceHost` at
 * `defaultPort`. A job may name any port on its own source host (":PORT" says just that: a
 * scheduler's status port need not be the default), but another host only when --legacy-allow
 * holds it: a job must not make the node open connections to a third party. Only IP literals are
 * taken: a name would let DNS pick the host after this check.
 */
export function replyAddress(replyTo: string, sourceHost: string, defaultPort: number, legacyAllow: Allowlist): ReplyAddress {
  const source = normaliseHost(sourceHost);
  const fallback = { host: source, port: defaultPort };
  if (replyTo === '') return { to: fallback };
  let to: Address;
  try {
    to = replyTo.startsWith(':')
      ? { host: source, port: parsePort(replyTo.slice(1), `reply_to "${replyTo}"`) }
      : parseAddress(replyTo, undefined, 'reply_to');
  } catch (error) {
    return { to: fallback, ignored: describeError(error) };
  }
  to = { host: normaliseHost(to.host), port: to.port };
  if (isIP(to.host) === 0) {
    return { to: fallback, refused: `reply_to ${formatAddress(to)}: expected an IP address (a name could resolve to any host)` };
  }
  if (sameHost(to.host, source) || legacyAllow.allows(to.host)) return { to };
  const allowed = legacyAllow.toString() || 'none';
  return { to: fallback, refused: `reply_to ${formatAddress(to)}: statuses go only to the job's source host ${source} or to --legacy-allow (${allowed})` };
}

/** Compares two IP literals as addresses, not as text (::1 and 0:0:0:0:0:0:0:1 are one host). */
function sameHost(a: string, b: string): boolean {
  const family = isIP(b);
  if (family === 0 || isIP(a) !== family) return false;
  const list = new BlockList();
  list.addAddress(b, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(a, family === 6 ? 'ipv6' : 'ipv4');
}
