import { NodeAgent } from './agent.js';
import { Reflector } from './reflector.js';
import { resolveEmitterPath } from '../emitter/helper-path.js';
import { createLogger, type LogFormat } from '../log.js';
import { describeListener, formatAddress, type Address } from '../transport/address.js';
import type { Allowlist } from '../transport/allowlist.js';
import { createdKeyNotice, type ClusterKey } from '../security/key.js';
import { catchStopSignals } from '../stop-signals.js';
import { JobJournal } from './job-journal.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';

/** How `pktgen serve` runs: its flags, parsed. */
export interface NodeOptions {
  /** Node identity reported in statuses. */
  name: string;
  /** No --name: the name is the host's, plus the port when not the default (agent/node-name.ts). */
  nameIsDefault?: boolean;
  listen: Address;
  /** Where statuses go for jobs that carry no reply address. */
  schedulerPort: number;
  /** Where traffic goes for jobs that name no target. */
  defaultTarget: Address;
  allowFrom: Allowlist;
  allowTarget: Allowlist;
  maxQueue: number;
  /** Unset: no cap, m = 0 sends as fast as possible. */
  maxRateMbps?: number | undefined;
  /** Largest w + t. */
  maxDurationS: number;
  maxFlows: number;
  /** Most sending threads a job may ask for. */
  maxThreads: number;
  /** Legacy peers: the only sources of unauthenticated legacy jobs, and where statuses may go besides a job's source host. */
  legacyAllow: Allowlist;
  statusRetryS: number;
  /** UDP reflector for other nodes' test packets; port 0 = none. */
  reflector: { port: number; spinUs: number; dropEvery: number };
  /** This host's clock minus the reference clock (serve --clock-offset), for one-way delays across hosts. */
  clockOffsetNs?: number | undefined;
  sendPath: { interface?: string | undefined; gso: boolean };
  logFormat: LogFormat;
  /** Log every status sent. */
  verbose: boolean;
  /** The cluster key: schedulers prove it to open a session. */
  key: ClusterKey;
  /** Folder of the node's state file: the job ids it ran, so that a restarted node runs none twice. */
  stateDir: string;
  /** Where to serve Prometheus metrics (serve --metrics, already checked); absent = off. */
  metrics?: Address | undefined;
}

/** Runs the node agent and its reflector until SIGINT, SIGTERM or SIGHUP, then stops both. */
export async function runNode(options: NodeOptions): Promise<void> {
  const log = createLogger({ format: options.logFormat, level: options.verbose ? 'debug' : 'info' });
  // Says once when a cache folder for the helper was unsafe and which private one is used instead.
  const helperPath = () => resolveEmitterPath((text) => log.warn(text));
  // A node on a port the kernel picks (--port 0) is never sent the same job after a restart.
  const journal = options.listen.port === 0 ? undefined : await JobJournal.open(options.stateDir, options.listen, log);
  const agent = new NodeAgent({
    name: options.name,
    listen: options.listen,
    schedulerPort: options.schedulerPort,
    defaultTarget: options.defaultTarget,
    allowFrom: options.allowFrom,
    allowTarget: options.allowTarget,
    limits: { maxRateMbps: options.maxRateMbps, maxDurationS: options.maxDurationS, maxFlows: options.maxFlows, maxThreads: options.maxThreads },
    legacyAllow: options.legacyAllow,
    maxQueue: options.maxQueue,
    statusRetryMs: options.statusRetryS * 1000,
    graceMs: 10_000,
    helperPath,
    log,
    sendPath: { ...options.sendPath, clockOffsetNs: options.clockOffsetNs },
    sessionSecret: options.key,
    journal,
  });
  const { port, spinUs, dropEvery } = options.reflector;
  const reflector = port === 0 ? undefined : new Reflector({
    spec: { bind: { host: options.listen.host, port }, allow: options.allowTarget.cidrs, dropEvery, spinUs, clockOffsetNs: options.clockOffsetNs },
    helperPath,
    log,
  });
  // Catch the stop signals before starting, so a signal during start-up still stops cleanly.
  const signals = catchStopSignals((again) => log.info(`${again} again: already stopping (in a few seconds at most)`));
  let bound: Address;
  let metrics: MetricsEndpoint | undefined;
  try {
    bound = await agent.start();
    await reflector?.start();
    if (options.metrics) {
      // Loaded only when asked for: a node without --metrics never loads prom-client.
      const [{ nodeRegistry }, { startMetricsEndpoint }] = await Promise.all([import('../metrics/node-metrics.js'), import('../metrics/endpoint.js')]);
      metrics = await startMetricsEndpoint(nodeRegistry(agent, options.name), options.metrics, log);
    }
  } catch (error) {
    // Cannot listen (a port in use): nothing ran yet; let go of what did start, then say why.
    await agent.stop(0);
    await reflector?.stop();
    signals.dispose();
    throw error;
  }
  const created = createdKeyNotice(options.key);
  if (created) log.info(created);
  // Every socket the node listens on, as bound: what a firewall rule or a review needs to know.
  const listeners = [describeListener(bound, 'TCP', 'jobs')];
  if (reflector?.address) listeners.push(describeListener(reflector.address, 'UDP', 'reflector'));
  if (metrics) listeners.push(describeListener(metrics.address, 'TCP', 'Prometheus /metrics'));
  log.info(`pktgen node ${options.name} listening on ${listeners.join(' and ')}`, {
    name: options.nameIsDefault ? 'the host name, plus the port when not the default (--name sets one)' : undefined,
    key: options.key.source,
    allow_from: options.allowFrom.toString(),
    legacy_allow: options.legacyAllow.toString() || 'none',
    allow_target: options.allowTarget.toString(),
    target: formatAddress(options.defaultTarget),
    max_rate: options.maxRateMbps === undefined ? 'none (m = 0 is unpaced)' : `${options.maxRateMbps} Mbit/s (m = 0 runs at it)`,
    max_threads: options.maxThreads,
    state: journal?.path ?? 'in memory only (--port 0)',
    reflector: !reflector ? 'off' : reflector.address ? undefined : `not listening yet on ${formatAddress({ host: options.listen.host, port })} (retrying)`,
  });
  const signal = await signals.received;
  log.info(`stopping (${signal})`);
  await metrics?.close();
  await agent.stop();
  await reflector?.stop();
  log.info('stopped');
}
