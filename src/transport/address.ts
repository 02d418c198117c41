import { isIP } from 'node:net';
import { UserError } from '../errors.js';

/** A TCP or UDP endpoint. */
export interface Address {
  host: string;
  port: number;
}

/** Parses `HOST:PORT`, `[v6]:PORT`, or `HOST` alone when a default port is given. */
export function parseAddress(text: string, defaultPort?: number, what = 'address'): Address {
  const trimmed = text.trim();
  let host = trimmed;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (isIP(trimmed) !== 6) {
    const colon = trimmed.lastIndexOf(':');
    if (colon >= 0) {
      host = trimmed.slice(0, colon);
      portText = trimmed.slice(colon + 1);
    }
  }
  if (host === '') throw new UserError(`${what} "${text}": missing host, expected HOST:PORT`, 'ERR_ADDRESS');
  if (portText === undefined) {
    if (defaultPort === undefined) throw new UserError(`${what} "${text}": missing port, expected HOST:PORT`, 'ERR_ADDRESS');
    return { host, port: defaultPort };
  }
  return { host, port: parsePort(portText, `${what} "${text}"`) };
}

/** Parses a TCP/UDP port number 1..65535; `what` names the value in the error. */
export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UserError(`${what}: port must be 1..65535`, 'ERR_ADDRESS');
  return port;
}

/** Formats an address as `host:port`, bracketing IPv6 hosts. */
export function formatAddress({ host, port }: Address): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Strips the IPv4-mapped prefix the kernel puts on dual-stack sockets (::ffff:127.0.0.1). */
export function normaliseHost(host: string): string {
  return host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
}

/**
 * One listening socket as a start-up line names it, saying when a wildcard address means every
 * interface: `0.0.0.0:1729 (TCP, jobs; every IPv4 interface)`.
 */
export function describeListener(address: Address, protocol: 'TCP' | 'UDP', purpose: string): string {
  const scope = address.host === '0.0.0.0' ? '; every IPv4 interface' : address.host === '::' ? '; every interface' : '';
  return `${formatAddress(address)} (${protocol}, ${purpose}${scope})`;
}
