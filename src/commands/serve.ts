import { Flags } from '@oclif/core';
import { availableParallelism, homedir, hostname } from 'node:os';
import { JOB_LIMITS, MAX_RUN_S } from '../input/job-limits.js';
import { ConfiguredCommand, configFlags } from '../config/configured-command.js';
import { defaultNodeName } from '../agent/node-name.js';
import { PORTS } from '../protocol/ports.js';
import { keyFileFlag, legacyAllowFlag, logFormatFlag, metricsFlag, metricsPublicFlag } from '../flags.js';
import { checkMetricsAddress } from '../metrics/address.js';
import { Allowlist, LOOPBACK_CIDRS } from '../transport/allowlist.js';
import { parseAddress, type Address } from '../transport/address.js';
import { parseDurationMs } from '../input/duration.js';
import { parseClockOffsetNs } from '../input/clock-offset.js';

const DEFAULT_TARGET = '127.0.0.1:9';
/**
 * Default --status-retry, s: a scheduler restarted after an outage of up to an hour still gets every
 * result (60 s lost results of jobs that ran while one was down for 150 s).
 */
const STATUS_RETRY_S = 3600;


/** `pktgen serve`: the node agent. */
export default class Serve extends ConfiguredCommand {
  static override summary = 'Run the node agent: take jobs over TCP and put their traffic on the wire.';
  static override description = [
    `Listens for jobs (legacy pktgen wire protocol, port ${PORTS.node}), runs them one at a time with the bundled emitter, and reports STARTED, then SUCCESS with measured statistics or FAIL with a reason, to the scheduler (the job's reply address, else the sender's address at --scheduler-port).`,
    'Jobs are accepted only from --allow-from and traffic goes only to --allow-target: both are loopback-only unless you widen them.',
  ].join('\n\n');

  static override examples = [
    { description: 'Serve on every address, sending to 127.0.0.1:9 (discard) unless a job names a target:', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Send to a local receiver and log JSON lines:', command: '<%= config.bin %> <%= command.id %> --target 127.0.0.1:9000 --log-format json' },
    {
      description: 'Take jobs from the scheduler at 10.0.0.5 and send traffic into 10.0.1.0/24:',
      command: '<%= config.bin %> <%= command.id %> --host 0.0.0.0 --allow-from 10.0.0.5/32 --allow-target 10.0.1.0/24 --target 10.0.1.7:9',
    },
  ];

  static override flags = {
    host: Flags.string({ description: 'address to listen on', default: '0.0.0.0' }),
    port: Flags.integer({ description: 'port to listen on for jobs', default: PORTS.node, min: 0, max: 65535 }),
    name: Flags.string({ description: `node identity reported in statuses [default: the host name, plus -PORT when --port is not ${PORTS.node}, e.g. ${defaultNodeName('myhost', PORTS.node + 2)} for --port ${PORTS.node + 2}]` }),
    'scheduler-port': Flags.integer({ description: 'port of the scheduler, for jobs that carry no reply address', default: PORTS.status, min: 1, max: 65535 }),
    target: Flags.custom<Address>({
      description: 'HOST:PORT to send traffic to, for jobs that name no target',
      helpValue: 'HOST:PORT',
      default: parseAddress(DEFAULT_TARGET),
      defaultHelp: async () => DEFAULT_TARGET,
      parse: async (text) => parseAddress(text, undefined, '--target'),
    })(),
    'allow-from': Flags.string({ description: 'CIDRs of schedulers whose jobs are accepted (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    'allow-target': Flags.string({ description: 'CIDRs that traffic may be sent to (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    'max-queue': Flags.integer({ description: 'jobs that may wait behind the running one; more get FAIL', default: 1000, min: 1 }),
    'max-rate': Flags.integer({ description: 'cap on every job\'s rate, Mbit/s of frame bytes, enforced by the emitter\'s pacer: a larger m gets FAIL naming the cap, m = 0 ("as fast as possible") runs paced at the cap [default: none, m = 0 is unpaced]', min: 1, max: JOB_LIMITS.maxRateMbps }),
    'max-duration': Flags.integer({ description: 'longest warm-up + measured time (w + t) a job may ask for, seconds', default: MAX_RUN_S, min: 1, max: MAX_RUN_S }),
    'max-flows': Flags.integer({ description: 'most flows (n) a job may ask for', default: JOB_LIMITS.maxFlows, min: 1, max: JOB_LIMITS.maxFlows }),
    'max-threads': Flags.integer({ description: 'most sending threads (threads) a job may ask for; more get FAIL naming this flag [default: the CPU count]', min: 1, max: JOB_LIMITS.maxThreads }),
    'legacy-allow': legacyAllowFlag('legacy (unauthenticated) peers: the only hosts besides a job\'s source its statuses may go to; with a key, the only sources of legacy jobs'),
    'status-retry': Flags.custom<number>({
      description: 'how long a STARTED, SUCCESS or FAIL the scheduler has not taken is kept and sent again: a whole number and a unit, s, m, h or d, or seconds',
      helpValue: 'DURATION',
      default: STATUS_RETRY_S,
      defaultHelp: async () => '1h',
      // A number alone is seconds, as the flag took before.
      parse: async (text) => parseDurationMs(text, '--status-retry', { bareSeconds: true }) / 1000,
    })(),
    'log-format': logFormatFlag(),
    'key-file': keyFileFlag(),
    verbose: Flags.boolean({ char: 'v', description: 'log every status sent' }),
    'reflect-port': Flags.integer({ description: 'UDP port of the reflector that echoes other nodes\' test packets (bound to --host, echoes only to --allow-target); 0 = no reflector', default: PORTS.reflect, min: 0, max: 65535 }),
    'reflect-spin-us': Flags.integer({ description: 'the reflector keeps polling this long after a packet before it sleeps: microsecond RTTs while traffic flows, idle otherwise; 0 = always sleep', default: 200, min: 0, max: 1_000_000 }),
    'clock-offset': Flags.custom<number>({
      description: 'this host\'s clock minus the reference clock (NTP/PTP), e.g. --clock-offset=-1.5ms: declared on the sending node and on the reflecting node, it makes their one-way delays comparable across hosts (nodes on one kernel need none)',
      helpValue: 'OFFSET',
      parse: async (text) => parseClockOffsetNs(text, '--clock-offset'),
    })(),
    'reflect-drop-every': Flags.integer({ description: 'test option: the reflector drops one test packet in K', default: 0, min: 0, hidden: true }),
    interface: Flags.string({ description: 'send jobs as raw Ethernet frames through this interface (AF_PACKET, qdisc bypass; needs CAP_NET_RAW, else UDP and the log says so)' }),
    gso: Flags.boolean({ description: 'use UDP segmentation offload when a job\'s flows allow it (one frame size, no latency stamping)', default: true, allowNo: true }),
    metrics: metricsFlag(),
    'metrics-public': metricsPublicFlag,
    'state-dir': Flags.string({ description: 'folder of the node\'s state file, the job ids it ran, so that a restarted node runs none of them twice [default: $PKTGEN_STATE_DIR, $XDG_STATE_HOME/pktgen or ~/.local/state/pktgen]' }),
    ...configFlags,
  };

  async run(): Promise<void> {
    const flags = await this.parseConfigured(Serve);
    if (!flags) return; // --print-config printed them
    // Loaded when the command runs, so that --help and --version start fast (see bench/startup.ts).
    const [{ runNode }, { chooseStateDir }, { loadClusterKey }] = await Promise.all([import('../agent/run.js'), import('../store/state-dir.js'), import('../security/key.js')]);
    await runNode({
      name: flags.name ?? defaultNodeName(hostname(), flags.port),
      nameIsDefault: flags.name === undefined,
      listen: { host: flags.host, port: flags.port },
      schedulerPort: flags['scheduler-port'],
      defaultTarget: flags.target,
      allowFrom: new Allowlist(flags['allow-from'], '--allow-from'),
      allowTarget: new Allowlist(flags['allow-target'], '--allow-target'),
      maxQueue: flags['max-queue'],
      maxRateMbps: flags['max-rate'],
      maxDurationS: flags['max-duration'],
      maxFlows: flags['max-flows'],
      maxThreads: flags['max-threads'] ?? Math.min(availableParallelism(), JOB_LIMITS.maxThreads),
      legacyAllow: new Allowlist(flags['legacy-allow'], '--legacy-allow'),
      statusRetryS: flags['status-retry'],
      reflector: { port: flags['reflect-port'], spinUs: flags['reflect-spin-us'], dropEvery: flags['reflect-drop-every'] },
      sendPath: { interface: flags.interface, gso: flags.gso },
      clockOffsetNs: flags['clock-offset'],
      logFormat: flags['log-format'],
      verbose: flags.verbose,
      key: await loadClusterKey({ keyFile: flags['key-file'], create: true }),
      metrics: flags.metrics && checkMetricsAddress(flags.metrics, flags['metrics-public']),
      stateDir: flags['state-dir'] ?? chooseStateDir({ env: process.env, homedir: homedir() }),
    });
  }
}
