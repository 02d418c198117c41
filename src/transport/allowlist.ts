import { BlockList, isIP } from 'node:net';
import { UserError } from '../errors.js';

/** Loopback only: the safe default for both trusted schedulers and traffic targets. */
export const LOOPBACK_CIDRS = ['127.0.0.0/8', '::1/128'];

/** A set of CIDR ranges an address may be checked against. */
export class Allowlist {
  private readonly list = new BlockList();

  /** Parses CIDRs (`10.0.0.0/24`, `::1/128`, or a bare address); `flag` names the option in errors. */
  constructor(readonly cidrs: string[], flag: string) {
    for (const cidr of cidrs) {
      const [address = '', prefixText] = cidr.trim().split('/');
      const family = isIP(address);
      const maxPrefix = family === 6 ? 128 : 32;
      const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
        throw new UserError(`${flag} "${cidr}": expected a CIDR such as 127.0.0.0/8 or ::1/128`, 'ERR_CIDR');
      }
      this.list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** True when the IP literal falls in one of the ranges (IPv4-mapped IPv6 counts as IPv4). */
  allows(ip: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const address = mapped ? mapped[1]! : ip;
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  toString(): string {
    return this.cidrs.join(',');
  }
}
