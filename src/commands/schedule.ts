import { Command, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { createLogger, type LogFormat } from '../log.js';
import { openStore, chooseStateDir } from '../store/index.js';
import { readJobsFile, readNodesFile } from '../scheduler/files.js';
import { SchedulerService } from '../scheduler/service.js';
import { countByState, formatTable, resultColumns } from '../scheduler/report.js';
import { formatAddress } from '../transport/address.js';
import { UserError } from '../errors.js';

/** `pktgen schedule`: the scheduler. */
export default class Schedule extends Command {
  static override summary = 'Run the scheduler: queue jobs per node and send each node its next job when it is done.';
  static override description = `Reads nodes and jobs from JSON files (the legacy formats load unchanged), keeps a priority queue
per node (lower priority first, file order within equal priorities), and listens for statuses on --port
before it sends anything. Every transition is saved to an SQLite database in --state-dir, so a restart
resumes where it stopped; loading the same jobs file again does not queue it twice.`;

  static override examples = [
    '<%= config.bin %> schedule -n examples/nodes.json -j examples/jobs.json',
    '<%= config.bin %> schedule -n nodes.json -j jobs.json --exit-when-done --fresh',
    '<%= config.bin %> schedule --state-dir /var/lib/pktgen   # resume saved work',
  ];

  static override flags = {
    nodes: Flags.string({ char: 'n', description: 'nodes file: {"nodes": [{"name", "ip", "port"?, "reflector"?}]}' }),
    jobs: Flags.string({ char: 'j', description: 'jobs file: {"jobs": [{"nodes", "priority", "data", "target"?, "timeout"?, "retries"?}]}' }),
    host: Flags.string({ description: 'address to listen on for statuses', default: '0.0.0.0' }),
    port: Flags.integer({ description: 'port to listen on for statuses', default: 1800, min: 0, max: 65535 }),
    'state-dir': Flags.string({ description: 'folder of the scheduler database [default: $PKTGEN_STATE_DIR, $XDG_STATE_HOME/pktgen or ~/.local/state/pktgen]' }),
    fresh: Flags.boolean({ description: 'forget saved state and start empty' }),
    'exit-when-done': Flags.boolean({ description: 'exit once every queue is drained: 0 if every job succeeded, 1 otherwise' }),
    'log-format': Flags.string({ description: 'log line format (stderr)', options: ['human', 'json'], default: 'human' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schedule);
    const log = createLogger({ format: flags['log-format'] as LogFormat });
    const nodes = flags.nodes ? await readNodesFile(flags.nodes) : [];
    const stateDir = flags['state-dir'] ?? chooseStateDir({ env: process.env, homedir: homedir() });
    const store = openStore(stateDir, { fresh: flags.fresh });
    const service = new SchedulerService({ listen: { host: flags.host, port: flags.port }, store, log });
    try {
      const known = new Set([...service.core.state.nodes.keys(), ...nodes.map((n) => n.name)]);
      if (known.size === 0) {
        throw new UserError('no nodes: give -n nodes.json, or a --state-dir that holds a saved scheduler', 'ERR_INPUT');
      }
      const jobsFile = flags.jobs ? await readJobsFile(flags.jobs, known) : undefined;
      // Listen before anything is sent: the old scheduler lost statuses by listening late.
      const address = await service.start();
      log.info(`pktgen scheduler listening for statuses on ${formatAddress(address)}`, { state: stateDir });
      await service.addNodes(nodes);
      if (jobsFile) {
        const seen = store.findFile(jobsFile.hash);
        if (seen) {
          log.info(`jobs file ${flags.jobs} was already loaded on ${new Date(seen.loadedAt).toISOString()} (${seen.jobCount} jobs): not queued again; --fresh starts over`);
        } else {
          const ids = service.addJobs(jobsFile.jobs.map((j) => ({ nodes: j.nodes, priority: j.priority, data: j.data, target: j.target, graceS: j.graceS, retries: j.retries })),
            { hash: jobsFile.hash, path: flags.jobs!, loadedAt: Date.now(), jobCount: jobsFile.jobs.length });
          log.info(`queued ${ids.length} job(s) from ${flags.jobs}`);
        }
      }
      const outcome = await this.waitForEnd(service, flags['exit-when-done']);
      if (outcome === 'drained') {
        const jobs = [...service.core.state.jobs.values()].sort((a, b) => a.seq - b.seq);
        this.log(formatTable(jobs.map(resultColumns)));
        this.log(`done: ${countByState(jobs)}`);
        process.exitCode = jobs.every((j) => j.state === 'succeeded') ? 0 : 1;
      }
    } finally {
      await service.stop();
    }
  }

  /** Resolves on SIGINT/SIGTERM, or when drained if asked to exit then. */
  private waitForEnd(service: SchedulerService, exitWhenDone: boolean): Promise<'signal' | 'drained'> {
    return new Promise((resolve) => {
      process.once('SIGINT', () => resolve('signal'));
      process.once('SIGTERM', () => resolve('signal'));
      if (!exitWhenDone) return;
      if (service.core.isDrained()) resolve('drained');
      service.on('drained', () => resolve('drained'));
    });
  }
}
