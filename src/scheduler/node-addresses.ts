import { lookup } from 'node:dns/promises';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { nodeAddressKey } from '../input/endpoints.js';
import { inputError } from '../input/json.js';
import { formatAddress } from '../transport/address.js';

/** A node to be added, with the IP its host resolved to and how errors name it. */
export interface NodeToAdd {
  name: string;
  host: string;
  port: number;
  ip: string;
  where: string;
}

/**
 * The resolved IP of every node, and the nodes at each IP: how a legacy status, which names no job,
 * is matched to its node, and how a status from an address that is no node's is told apart.
 */
export class NodeAddresses {
  private readonly ips = new Map<string, string>();
  private readonly namesAt = new Map<string, string[]>();

  constructor(private readonly log: Logger) {}

  /** Resolves a node's host (a name that does not resolve is kept as written, and logged). */
  async resolve(node: { name: string; host: string }): Promise<void> {
    this.assign(node.name, await this.lookup(node));
  }

  /** The IP a node's host resolves to now; a name that does not resolve is kept as written, and logged. */
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

  /** Forgets a node that left. */
  forget(name: string): void {
    const ip = this.ips.get(name);
    if (ip === undefined) return;
    this.ips.delete(name);
    const names = this.namesAt.get(ip)!;
    names.splice(names.indexOf(name), 1);
    if (names.length === 0) this.namesAt.delete(ip);
  }

  /**
   * Refuses (ERR_INPUT, naming both nodes) a node that would share its HOST:PORT with another: with
   * a known node (other than itself, by name) or an earlier one of `adding`. Addresses match as
   * written (nodeAddressKey: localhost is 127.0.0.1) or resolved. Known nodes that already share an
   * address (an older pktgen allowed it) refuse nothing.
   */
  checkFree(adding: readonly NodeToAdd[], known: Iterable<{ name: string; host: string; port: number }>): void {
    const owners = new Map<string, { name: string; address: string; written: string; added: boolean }>();
    const renamed = new Set(adding.map((node) => node.name));
    for (const node of known) {
      if (renamed.has(node.name)) continue;
      const owner = { name: node.name, address: formatAddress(node), written: nodeAddressKey(node.host, node.port), added: false };
      for (const key of this.keys(node.host, this.ips.get(node.name) ?? node.host, node.port)) {
        if (!owners.has(key)) owners.set(key, owner);
      }
    }
    for (const node of adding) {
      const owner = { name: node.name, address: formatAddress(node), written: nodeAddressKey(node.host, node.port), added: true };
      for (const key of this.keys(node.host, node.ip, node.port)) {
        const other = owners.get(key);
        if (other && other.name !== node.name) {
          // Shown as the other node was given, and why they match when it is not by how they are written.
          const how = other.written === owner.written ? '' : `; both are ${node.ip}`;
          const shown = other.address.toLowerCase() === owner.address.toLowerCase() ? '' : ` (${other.address}${how})`;
          const remedy = other.added ? '' : ` (or remove node ${other.name}: pktgen submit --remove-node ${other.name})`;
          throw inputError(node.where, owner.address, `already the address of node ${other.name}${shown}; give node ${node.name} its own HOST:PORT${remedy}`);
        }
        owners.set(key, owner);
      }
    }
  }

  /** The keys two nodes at one agent would share: the address as written, and as resolved. */
  private keys(host: string, ip: string, port: number): string[] {
    return [nodeAddressKey(host, port), nodeAddressKey(ip, port)];
  }

  /** Records where a node's host resolved to. */
  assign(name: string, ip: string): void {
    const old = this.ips.get(name);
    if (old === ip) return;
    if (old !== undefined) this.forget(name);
    this.ips.set(name, ip);
    const names = this.namesAt.get(ip);
    if (names) names.push(name);
    else this.namesAt.set(ip, [name]);
  }
}
