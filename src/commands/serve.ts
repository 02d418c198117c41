import { Command, Flags } from '@oclif/core';
import { hostname } from 'node:os';
import { NodeAgent } from '../agent/agent.js';
import { Reflector } from '../agent/reflector.js';
import { Allowlist, LOOPBACK_CIDRS } from '../transport/allowlist.js';
import { DEFAULT_NODE_LIMITS } from '../input/job.js';
import { createLogger, type LogFormat } from '../log.js';
import { formatAddress, parseAddress } from '../transport/address.js';
import { resolveEmitterPath } from '../emitter/helper-path.js';

/** `pktgen serve`: the node agent. */
export default class Serve extends Command {
  static override summary = 'Run the node agent: take jobs over TCP and put their traffic on the wire.';
  static override description = `Listens for jobs (legacy pktgen wire protocol, port 1729), runs them one at a time with the
bundled emitter, and reports STARTED, then SUCCESS with measured statistics or FAIL with a reason, to the
scheduler (the job's reply address, else the sender's address at --scheduler-port).
Jobs are accepted only from --allow-from and traffic goes only to --allow-target: both are loopback-only
unless you widen them.`;

  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --target 127.0.0.1:9000 --log-format json',
    '<%= config.bin %> serve --host 0.0.0.0 --allow-from 10.0.0.5/32 --allow-target 10.0.1.0/24 --target 10.0.1.7:9',
  ];

  static override flags = {
    host: Flags.string({ description: 'address to listen on', default: '0.0.0.0' }),
    port: Flags.integer({ description: 'port to listen on for jobs', default: 1729, min: 0, max: 65535 }),
    name: Flags.string({ description: 'node identity reported in statuses', default: hostname() }),
    'scheduler-port': Flags.integer({ description: 'port of the scheduler, for jobs that carry no reply address', default: 1800, min: 1, max: 65535 }),
    target: Flags.string({ description: 'HOST:PORT to send traffic to, for jobs that name no target', default: '127.0.0.1:9' }),
    'allow-from': Flags.string({ description: 'CIDRs of schedulers whose jobs are accepted (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    'allow-target': Flags.string({ description: 'CIDRs that traffic may be sent to (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    'max-queue': Flags.integer({ description: 'jobs that may wait behind the running one; more get FAIL', default: 1000, min: 1 }),
    'max-rate': Flags.integer({ description: 'largest rate a job may ask for, Mbit/s', default: DEFAULT_NODE_LIMITS.maxRateMbps, min: 1 }),
    'max-duration': Flags.integer({ description: 'largest warm-up or measured time a job may ask for, seconds', default: DEFAULT_NODE_LIMITS.maxDurationS, min: 1 }),
    'status-retry': Flags.integer({ description: 'seconds to keep retrying a status the scheduler does not take', default: 60, min: 0 }),
    'log-format': Flags.string({ description: 'log line format (stderr)', options: ['human', 'json'], default: 'human' }),
    verbose: Flags.boolean({ char: 'v', description: 'log every status sent' }),
    'reflect-port': Flags.integer({ description: 'UDP port of the reflector that echoes other nodes\' test packets (bound to --host, echoes only to --allow-target); 0 = no reflector', default: 1730, min: 0, max: 65535 }),
    'reflect-spin-us': Flags.integer({ description: 'the reflector keeps polling this long after a packet before it sleeps: microsecond RTTs while traffic flows, idle otherwise; 0 = always sleep', default: 200, min: 0, max: 1_000_000 }),
    'reflect-drop-every': Flags.integer({ description: 'test option: the reflector drops one test packet in K', default: 0, min: 0, hidden: true }),
    interface: Flags.string({ description: 'send jobs as raw Ethernet frames through this interface (AF_PACKET, qdisc bypass; needs CAP_NET_RAW, else UDP and the log says so)' }),
    gso: Flags.boolean({ description: 'use UDP segmentation offload when a job\'s flows allow it (one frame size, no latency stamping)', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const log = createLogger({ format: flags['log-format'] as LogFormat, level: flags.verbose ? 'debug' : 'info' });
    const agent = new NodeAgent({
      name: flags.name,
      listen: { host: flags.host, port: flags.port },
      schedulerPort: flags['scheduler-port'],
      defaultTarget: parseAddress(flags.target, undefined, '--target'),
      allowFrom: new Allowlist(flags['allow-from'], '--allow-from'),
      allowTarget: new Allowlist(flags['allow-target'], '--allow-target'),
      limits: { ...DEFAULT_NODE_LIMITS, maxRateMbps: flags['max-rate'], maxDurationS: flags['max-duration'] },
      maxQueue: flags['max-queue'],
      statusRetryMs: flags['status-retry'] * 1000,
      graceMs: 10_000,
      helperPath: resolveEmitterPath,
      log,
      sendPath: { interface: flags.interface, gso: flags.gso },
    });
    const reflector = flags['reflect-port'] === 0 ? undefined : new Reflector({
      spec: { bind: { host: flags.host, port: flags['reflect-port'] }, allow: flags['allow-target'], dropEvery: flags['reflect-drop-every'], spinUs: flags['reflect-spin-us'] },
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
    log.info(`pktgen node ${flags.name} listening on ${formatAddress(bound)}`, {
      allow_from: flags['allow-from'].join(','),
      allow_target: flags['allow-target'].join(','),
      target: flags.target,
      reflector: !reflector ? 'off' : reflector.address ? formatAddress(reflector.address) : 'not listening (retrying)',
    });
    const signal = await stopSignal;
    log.info(`stopping (${signal})`);
    await agent.stop();
    await reflector?.stop();
    log.info('stopped');
  }
}
