import { isIP } from 'node:net';
import { UserError } from '../errors.js';
import { formatAddress, normaliseHost, parseAddress, type Address } from '../transport/address.js';
import { inputError, isIntegerIn, showValue } from './json.js';

/** What a node name may contain. */
export const NODE_NAME = /^[A-Za-z0-9_.-]+$/;
export const NODE_NAME_EXPECTED = 'expected a node name of letters, digits, "_", "." and "-"';

/**
 * True for an IP literal or a DNS name. Labels may hold "_" as well: resolvers accept it and
 * container names (Docker Compose) use it. A name ending in a numeric label is rejected, so that a
 * mistyped address such as 10.0.0 or 10.0.0.256 is not taken for a host name.
 */
export function isHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  return name.length > 0 && name.length <= 253 && !/^\d+$/.test(labels.at(-1)!)
    && labels.every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/** Parses HOST:PORT with transport's parseAddress, reporting any problem as an ERR_INPUT line. */
export function parseEndpoint(text: string, where: string, expected: string): Address {
  let address: Address;
  try {
    address = parseAddress(text, undefined, 'address');
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // parseAddress says `address "TEXT": REASON, expected HOST:PORT`; keep REASON only.
    const prefix = `address "${text}": `;
    const reason = (error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message).replace(/, expected .*$/, '');
    throw inputError(where, text, `${expected} (${reason})`);
  }
  if (!isHost(address.host)) throw inputError(where, text, `${expected} (${showValue(address.host)} is not an IP address or host name)`);
  return address;
}

/**
 * How two node addresses are compared: one agent at one HOST:PORT must be one node, or the two would
 * get each other's jobs and statuses. Host names compare without case or a trailing dot, "localhost"
 * (and *.localhost) as 127.0.0.1, IPv4-mapped IPv6 as IPv4, and IPv6 in its shortest form. Names that
 * resolve alike are compared by the scheduler, which resolves them (scheduler/node-addresses.ts).
 */
export function nodeAddressKey(host: string, port: number): string {
  let name = normaliseHost(host.toLowerCase());
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost' || name.endsWith('.localhost')) name = '127.0.0.1';
  if (isIP(name) === 6) name = shortIPv6(name);
  return formatAddress({ host: name, port });
}

/** `0:0:0:0:0:0:0:1` -> `::1`, as the URL parser writes IPv6 hosts; a scoped address stays as written. */
function shortIPv6(ip: string): string {
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

/** A node's "reflector": HOST:PORT, or a port (number or digits) on the node's own host. */
export function parseReflector(value: unknown, host: string, where: string): string {
  const expected = "expected HOST:PORT, or a port 1..65535 on the node's own ip";
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const port = Number(value);
    if (!isIntegerIn(port, 1, 65535)) throw inputError(where, value, expected);
    return formatAddress({ host, port });
  }
  if (typeof value !== 'string') throw inputError(where, value, expected);
  return formatAddress(parseEndpoint(value, where, expected));
}

/** `(known: "m0", "m1", ... and 5 more)`: the first ten known node names, for an unknown-node message. */
export function knownNodesHint(known: ReadonlySet<string>): string {
  if (known.size === 0) return '(no nodes are known)';
  const first = [...known].slice(0, 10).map((name) => JSON.stringify(name));
  return `(known: ${first.join(', ')}${known.size > 10 ? ` and ${known.size - 10} more` : ''})`;
}

/** Checks a node name at `where`, and that it is known when a set of known names is given. */
export function checkNodeName(value: unknown, where: string, known?: ReadonlySet<string>): string {
  if (typeof value !== 'string' || !NODE_NAME.test(value)) throw inputError(where, value, NODE_NAME_EXPECTED);
  if (known && !known.has(value)) throw inputError(where, value, `unknown node ${knownNodesHint(known)}`);
  return value;
}

/** A job's "target": "" (the node's default), a node name, or HOST:PORT (normalised). */
export function parseTarget(value: unknown, where: string, known?: ReadonlySet<string>): string {
  const expected = 'expected a node name or HOST:PORT';
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'string') throw inputError(where, value, expected);
  if (value.includes(':') || value.startsWith('[')) return formatAddress(parseEndpoint(value, where, expected));
  // An IPv4 literal is a valid node name by its characters; it is far more likely a port left out.
  if (isIP(value) !== 0) throw inputError(where, value, `${expected} (missing port)`);
  if (!NODE_NAME.test(value)) throw inputError(where, value, expected);
  if (known && !known.has(value)) throw inputError(where, value, `unknown node ${knownNodesHint(known)}; for a host, write HOST:PORT`);
  return value;
}
