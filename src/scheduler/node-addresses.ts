import { lookup } from 'node:dns/promises';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The resolved IP of every node, and the nodes at each IP: how a legacy status, which names no job,
 * is matched to its node, and how a status from an address that is no node's is told apart.
 */
export class NodeAddresses {
  private readonly ips = new Map<string, string>();
  private readonly namesAt = new Map<string, string[]>();

  constructor(private readonly log: Logger) {}

  /** Resolves a node's host and records it. */
  async resolve(node: { name: string; host: string }): Promise<void> {
    this.assign(node.name, await this.lookup(node));
  }

  /** A node's IP, not yet recorded (a name that does not resolve is kept as written, and logged). */
  async lookup(node: { name: string; host: string }): Promise<string> {
    try {
      return (await lookup(node.host)).address;
    } catch (error) {
      this.log.warn(`node ${node.name}: cannot resolve ${node.host} (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`);
      return node.host;
    }
  }

  /** The IP a node's host resolved to, once it has. */
  ipOf(name: string): string | undefined {
    return this.ips.get(name);
  }

  /** The nodes at `ip`; read-only, the index's own list. */
  nodesAt(ip: string): readonly string[] {
    return this.namesAt.get(ip) ?? [];
  }

  /** Records the IP a node's host resolved to. */
  assign(name: string, ip: string): void {
    const old = this.ips.get(name);
    if (old === ip) return;
    if (old !== undefined) {
      const names = this.namesAt.get(old)!;
      names.splice(names.indexOf(name), 1);
      if (names.length === 0) this.namesAt.delete(old);
    }
    this.ips.set(name, ip);
    const names = this.namesAt.get(ip);
    if (names) names.push(name);
    else this.namesAt.set(ip, [name]);
  }
}
