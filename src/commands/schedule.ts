import { Flags } from '@oclif/core';
import { PktgenCommand } from '../base-command.js';
import { PORTS } from '../protocol/ports.js';
import { keyFileFlag, legacyAllowFlag, logFormatFlag } from '../flags.js';
import { loadClusterKey } from '../security/key.js';
import { runScheduler } from '../scheduler/run.js';
import { DEFAULT_CORE_CONFIG } from '../scheduler/core.js';
import { DEFAULT_CONTROL_LIMITS } from '../control/limits.js';
import { parseDurationMs } from '../scheduler/duration.js';
import { Allowlist, LOOPBACK_CIDRS } from '../transport/allowlist.js';

/** `pktgen schedule`: the scheduler. */
export default class Schedule extends PktgenCommand {
  static override summary = 'Run the scheduler: queue jobs per node, send each node its next job when done.';
  static override description = [
    'Reads nodes and jobs from JSON files (the legacy formats load unchanged), keeps a priority queue per node (lower priority first, file order within equal priorities), and listens for statuses on --port before it sends anything.',
    'Every transition is saved to an SQLite database in --state-dir, so a restart resumes where it stopped; loading the same jobs file again does not queue it twice.',
  ].join('\n\n');

  static override examples = [
    { description: 'Run the example jobs on the example nodes:', command: '<%= config.bin %> <%= command.id %> -n examples/nodes.json -j examples/jobs.json' },
    {
      description: 'Start from an empty database, run the jobs, print their results and exit (1 if any failed):',
      command: '<%= config.bin %> <%= command.id %> -n nodes.json -j jobs.json --exit-when-done --fresh',
    },
    { description: 'Resume the work saved in a state folder:', command: '<%= config.bin %> <%= command.id %> --state-dir /var/lib/pktgen' },
  ];

  static override flags = {
    nodes: Flags.string({ char: 'n', description: 'nodes file: {"nodes": [{"name", "ip", "port"?, "reflector"?}]}' }),
    jobs: Flags.string({ char: 'j', description: 'jobs file: {"jobs": [{"nodes", "priority", "data", "target"?, "timeout"?, "retries"?}]}' }),
    host: Flags.string({ description: 'address to listen on for statuses', default: '0.0.0.0' }),
    port: Flags.integer({ description: 'port to listen on for statuses', default: PORTS.status, min: 0, max: 65535 }),
    'state-dir': Flags.string({ description: 'folder of the scheduler database [default: $PKTGEN_STATE_DIR, $XDG_STATE_HOME/pktgen or ~/.local/state/pktgen]' }),
    fresh: Flags.boolean({ description: 'forget saved state and start empty' }),
    'control-host': Flags.string({ description: 'address of the control API (pktgen submit / status)', default: '127.0.0.1' }),
    'control-port': Flags.integer({ description: 'port of the control API; 0 picks a free one', default: PORTS.control, min: 0, max: 65535 }),
    'control-allow': Flags.string({ description: 'CIDRs allowed to use the control API (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    interactive: Flags.boolean({ char: 'i', description: 'show the live terminal UI (per-node queues, results, keys to add, cancel and pause); logs go to scheduler.log in --state-dir' }),
    'exit-when-done': Flags.boolean({ description: 'exit once every queue is drained: 0 if every job succeeded, 1 otherwise' }),
    'log-format': logFormatFlag(),
    'legacy-allow': legacyAllowFlag('old pktgen daemons: nodes there get the unauthenticated legacy wire and only their statuses count on the status port; others need a session'),
    'key-file': keyFileFlag(),
    'keep-jobs': Flags.integer({ description: 'finished jobs to keep in memory and in the database; beyond it the oldest finished are removed (0 = keep none: only queued and running jobs)', default: DEFAULT_CORE_CONFIG.keepJobs, min: 0 }),
    'max-queued': Flags.integer({ description: 'jobs not yet finished the scheduler holds at most; a control request past it is refused and changes nothing', default: DEFAULT_CONTROL_LIMITS.maxQueued, min: 1 }),
    'max-queued-per-node': Flags.integer({ description: 'jobs not yet finished one node may have at most (control requests)', default: DEFAULT_CONTROL_LIMITS.maxQueuedPerNode, min: 1 }),
    'max-nodes': Flags.integer({ description: 'nodes the scheduler knows at most (control requests)', default: DEFAULT_CONTROL_LIMITS.maxNodes, min: 1 }),
    'keep-for': Flags.custom<number>({ description: 'also remove finished jobs this long after they finished: a whole number and a unit, s, m, h or d (90s, 30m, 2h, 7d) [default: no age limit]', helpValue: 'DURATION', parse: async (input) => parseDurationMs(input, '--keep-for') })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schedule);
    process.exitCode = await runScheduler({
      nodesFile: flags.nodes,
      jobsFile: flags.jobs,
      listen: { host: flags.host, port: flags.port },
      stateDir: flags['state-dir'],
      fresh: flags.fresh,
      control: { host: flags['control-host'], port: flags['control-port'], allow: new Allowlist(flags['control-allow'], '--control-allow') },
      interactive: flags.interactive,
      exitWhenDone: flags['exit-when-done'],
      logFormat: flags['log-format'],
      legacyAllow: new Allowlist(flags['legacy-allow'], '--legacy-allow'),
      retention: { keepJobs: flags['keep-jobs'], keepForMs: flags['keep-for'] ?? DEFAULT_CORE_CONFIG.keepForMs },
      key: await loadClusterKey({ keyFile: flags['key-file'], create: true }),
      limits: { ...DEFAULT_CONTROL_LIMITS, maxQueued: flags['max-queued'], maxQueuedPerNode: flags['max-queued-per-node'], maxNodes: flags['max-nodes'] },
    }, (text) => this.log(text));
  }
}
