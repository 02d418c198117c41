import { NodeAgent } from './agent.js';
import { Reflector } from './reflector.js';
import { DEFAULT_NODE_LIMITS } from '../input/job.js';
import { resolveEmitterPath } from '../emitter/helper-path.js';
import { createLogger, type LogFormat } from '../log.js';
import { formatAddress, type Address } from '../transport/address.js';
import type { Allowlist } from '../transport/allowlist.js';
import { createdKeyNotice, type ClusterKey } from '../security/key.js';

/** How `pktgen serve` runs: its flags, parsed. */
export interface NodeOptions {
  /** Node identity reported in statuses. */
  name: string;
  listen: Address;
  /** Where statuses go for jobs that carry no reply address. */
  schedulerPort: number;
  /** Where traffic goes for jobs that name no target. */
  defaultTarget: Address;
  allowFrom: Allowlist;
  allowTarget: Allowlist;
  maxQueue: number;
  maxRateMbps: number;
  maxDurationS: number;
  statusRetryS: number;
  /** UDP reflector for other nodes' test packets; port 0 = none. */
  reflector: { port: number; spinUs: number; dropEvery: number };
  sendPath: { interface?: string | undefined; gso: boolean };
  logFormat: LogFormat;
  /** Log every status sent. */
  verbose: boolean;
  /** The cluster key: kept for the authenticated node sessions. */
  key: ClusterKey;
}

/** Runs the node agent and its reflector until SIGINT or SIGTERM, then stops both. */
export async function runNode(options: NodeOptions): Promise<void> {
  const log = createLogger({ format: options.logFormat, level: options.verbose ? 'debug' : 'info' });
  const agent = new NodeAgent({
    name: options.name,
    listen: options.listen,
    schedulerPort: options.schedulerPort,
    defaultTarget: options.defaultTarget,
    allowFrom: options.allowFrom,
    allowTarget: options.allowTarget,
    limits: { ...DEFAULT_NODE_LIMITS, maxRateMbps: options.maxRateMbps, maxDurationS: options.maxDurationS },
    maxQueue: options.maxQueue,
    statusRetryMs: options.statusRetryS * 1000,
    graceMs: 10_000,
    helperPath: resolveEmitterPath,
    log,
    sendPath: options.sendPath,
  });
  const { port, spinUs, dropEvery } = options.reflector;
  const reflector = port === 0 ? undefined : new Reflector({
    spec: { bind: { host: options.listen.host, port }, allow: options.allowTarget.cidrs, dropEvery, spinUs },
    helperPath: resolveEmitterPath,
    log,
  });
  // Listen for SIGINT/SIGTERM before starting, so a signal during start-up still stops cleanly.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const bound = await agent.start();
  await reflector?.start();
  const created = createdKeyNotice(options.key);
  if (created) log.info(created);
  log.info(`pktgen node ${options.name} listening on ${formatAddress(bound)}`, {
    key: options.key.source,
    allow_from: options.allowFrom.toString(),
    allow_target: options.allowTarget.toString(),
    target: formatAddress(options.defaultTarget),
    reflector: !reflector ? 'off' : reflector.address ? formatAddress(reflector.address) : 'not listening (retrying)',
  });
  const signal = await stopSignal;
  log.info(`stopping (${signal})`);
  await agent.stop();
  await reflector?.stop();
  log.info('stopped');
}
