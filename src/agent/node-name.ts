import { PORTS } from '../protocol/ports.js';

/**
 * A node's name when `serve --name` is not given: the host name, plus the port when it is not the
 * default (host-1731), so that two nodes on one host report different names. A port the kernel
 * picks (--port 0) is unknown until bound: such a node is named by its host alone.
 */
export function defaultNodeName(hostName: string, port: number): string {
  return port === PORTS.node || port === 0 ? hostName : `${hostName}-${port}`;
}
