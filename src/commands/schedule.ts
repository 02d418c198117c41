import { Flags } from '@oclif/core';
import { ConfiguredCommand, configFlags } from '../config/configured-command.js';
import { PORTS } from '../protocol/ports.js';
import { keyFileFlag, legacyAllowFlag, logFormatFlag, metricsFlag, metricsPublicFlag } from '../flags.js';
import { checkMetricsAddress } from '../metrics/address.js';
import { DEFAULT_CORE_CONFIG } from '../scheduler/core-config.js';
import { DEFAULT_CONTROL_LIMITS } from '../control/control-limits.js';
import { parseDurationMs } from '../input/duration.js';
import type { NodeSpec } from '../input/files.js';
import { EXIT_TIMED_OUT } from '../errors.js';
import { Allowlist, LOOPBACK_CIDRS } from '../transport/allowlist.js';

/** `pktgen schedule`: the scheduler. */
export default class Schedule extends ConfiguredCommand {
  static override summary = 'Run the scheduler: queue jobs per node, send each node its next job when done.';
  static override description = [
    'Reads nodes and jobs from JSON files (the legacy formats load unchanged), keeps a priority queue per node (lower priority first, file order within equal priorities), and listens for statuses on --port before it sends anything.',
    'Every transition is saved to an SQLite database in --state-dir, so a restart resumes where it stopped. The same jobs file given again resumes its run while jobs of it are open, and once that run has finished queues it again as the next run (new job ids).',
  ].join('\n\n');

  static override examples = [
    { description: 'Run the example jobs on the example nodes:', command: '<%= config.bin %> <%= command.id %> -n examples/nodes.json -j examples/jobs.json' },
    {
      description: 'Start from an empty database, run the jobs, print their results and exit (1 if any failed):',
      command: '<%= config.bin %> <%= command.id %> -n nodes.json -j jobs.json --exit-when-done --fresh',
    },
    { description: 'Resume the work saved in a state folder:', command: '<%= config.bin %> <%= command.id %> --state-dir /var/lib/pktgen' },
    {
      description: `In CI: two nodes given on the command line, and exit ${EXIT_TIMED_OUT} if the jobs are not done within 30 minutes:`,
      command: '<%= config.bin %> <%= command.id %> --add-node m0=10.0.0.5 --add-node m1=10.0.0.6,reflector=10.0.0.6:1730 -j jobs.json --exit-when-done --deadline 30m',
    },
  ];

  static override flags = {
    nodes: Flags.string({ char: 'n', description: 'nodes file: {"nodes": [{"name", "ip", "port"?, "reflector"?}]}' }),
    'add-node': Flags.custom<NodeSpec>({
      description: 'a node, as in nodes.json (repeatable; beside or instead of -n); append ,reflector=HOST:PORT (or a port on the node\'s host)',
      helpValue: 'NAME=HOST[:PORT]', multiple: true, parse: async (text) => (await import('../input/files.js')).parseAddNode(text),
    })(),
    jobs: Flags.string({ char: 'j', description: 'jobs file: {"jobs": [{"nodes", "priority", "data", "target"?, "timeout"?, "retries"?}]}' }),
    host: Flags.string({ description: 'address to listen on for statuses', default: '0.0.0.0' }),
    port: Flags.integer({ description: 'port to listen on for statuses', default: PORTS.status, min: 0, max: 65535 }),
    'state-dir': Flags.string({ description: 'folder of the scheduler database [default: $PKTGEN_STATE_DIR, $XDG_STATE_HOME/pktgen or ~/.local/state/pktgen]' }),
    fresh: Flags.boolean({ description: 'forget saved state and start empty' }),
    'control-host': Flags.string({ description: 'address of the control API (pktgen submit / status)', default: '127.0.0.1' }),
    'control-port': Flags.integer({ description: 'port of the control API; 0 picks a free one', default: PORTS.control, min: 0, max: 65535 }),
    'control-allow': Flags.string({ description: 'CIDRs allowed to use the control API (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    interactive: Flags.boolean({ char: 'i', description: 'show the live terminal UI (per-node queues, results, keys to add, cancel and pause); logs go to scheduler.log in --state-dir' }),
    'exit-when-done': Flags.boolean({ description: 'exit once every queue is drained: 0 if every job succeeded, 1 otherwise; down nodes that hold jobs are logged every 30 s' }),
    deadline: Flags.custom<number>({
      description: `with --exit-when-done: exit ${EXIT_TIMED_OUT} this long after start if jobs are still open, naming each and why, e.g. 30m [default: no limit]`,
      helpValue: 'DURATION', dependsOn: ['exit-when-done'], parse: async (input) => parseDurationMs(input, '--deadline', { positive: true }),
    })(),
    'log-format': logFormatFlag(),
    'legacy-allow': legacyAllowFlag('old pktgen daemons: nodes there get the unauthenticated legacy wire and only their statuses count on the status port; others need a session'),
    'key-file': keyFileFlag(),
    'keep-jobs': Flags.integer({ description: 'finished jobs to keep in memory and in the database; beyond it the oldest finished are removed (0 = keep none: only queued and running jobs)', default: DEFAULT_CORE_CONFIG.keepJobs, min: 0 }),
    'max-queued': Flags.integer({ description: 'jobs not yet finished the scheduler holds at most; a control request past it is refused and changes nothing', default: DEFAULT_CONTROL_LIMITS.maxQueued, min: 1 }),
    'max-queued-per-node': Flags.integer({ description: 'jobs not yet finished one node may have at most (control requests)', default: DEFAULT_CONTROL_LIMITS.maxQueuedPerNode, min: 1 }),
    'max-nodes': Flags.integer({ description: 'nodes the scheduler knows at most (control requests)', default: DEFAULT_CONTROL_LIMITS.maxNodes, min: 1 }),
    metrics: metricsFlag(),
    'metrics-public': metricsPublicFlag,
    'keep-for': Flags.custom<number>({ description: 'also remove finished jobs this long after they finished: a whole number and a unit, s, m, h or d (90s, 30m, 2h, 7d) [default: no age limit]', helpValue: 'DURATION', parse: async (input) => parseDurationMs(input, '--keep-for') })(),
    ...configFlags,
  };

  async run(): Promise<void> {
    const flags = await this.parseConfigured(Schedule);
    if (!flags) return; // --print-config printed them
    // Loaded when the command runs, so that --help and --version start fast (see bench/startup.ts).
    const [{ runScheduler }, { loadClusterKey }] = await Promise.all([import('../scheduler/run.js'), import('../security/key.js')]);
    process.exitCode = await runScheduler({
      nodesFile: flags.nodes,
      addNodes: flags['add-node'],
      jobsFile: flags.jobs,
      listen: { host: flags.host, port: flags.port },
      stateDir: flags['state-dir'],
      fresh: flags.fresh,
      control: { host: flags['control-host'], port: flags['control-port'], allow: new Allowlist(flags['control-allow'], '--control-allow') },
      interactive: flags.interactive,
      exitWhenDone: flags['exit-when-done'],
      deadlineMs: flags.deadline,
      logFormat: flags['log-format'],
      legacyAllow: new Allowlist(flags['legacy-allow'], '--legacy-allow'),
      retention: { keepJobs: flags['keep-jobs'], keepForMs: flags['keep-for'] ?? DEFAULT_CORE_CONFIG.keepForMs },
      key: await loadClusterKey({ keyFile: flags['key-file'], create: true }),
      metrics: flags.metrics && checkMetricsAddress(flags.metrics, flags['metrics-public']),
      limits: { ...DEFAULT_CONTROL_LIMITS, maxQueued: flags['max-queued'], maxQueuedPerNode: flags['max-queued-per-node'], maxNodes: flags['max-nodes'] },
    }, (text) => this.log(text));
  }
}
