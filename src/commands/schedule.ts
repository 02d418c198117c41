import { Command, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { createLogger, type LogFormat } from '../log.js';
import { openStore, chooseStateDir } from '../store/index.js';
import { readJobsFile, readNodesFile } from '../input/files.js';
import { SchedulerService } from '../scheduler/service.js';
import { countByState, formatTable, resultColumns } from '../control/tables.js';
import { formatAddress } from '../transport/address.js';
import { UserError } from '../errors.js';
import { DEFAULT_CORE_CONFIG } from '../scheduler/core.js';
import { parseDurationMs } from '../scheduler/duration.js';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { handleControl } from '../control/server.js';
import { emptyRequest, type ControlRequest } from '../protocol/control-messages.js';
import { ControlBackend } from '../control/backend.js';
import type { Logger } from '../log.js';
import type { SchedulerStore } from '../store/index.js';
import { startControlServer } from '../control/server.js';
import { PORTS } from '../protocol/ports.js';
import { Allowlist, LOOPBACK_CIDRS } from '../transport/allowlist.js';

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
    'control-host': Flags.string({ description: 'address of the control API (pktgen submit / status)', default: '127.0.0.1' }),
    'control-port': Flags.integer({ description: 'port of the control API; 0 picks a free one', default: PORTS.control, min: 0, max: 65535 }),
    'control-allow': Flags.string({ description: 'CIDRs allowed to use the control API (comma-separated or repeated)', multiple: true, delimiter: ',', default: LOOPBACK_CIDRS }),
    interactive: Flags.boolean({ char: 'i', description: 'show the live terminal UI (per-node queues, results, keys to add, cancel and pause); logs go to scheduler.log in --state-dir' }),
    'exit-when-done': Flags.boolean({ description: 'exit once every queue is drained: 0 if every job succeeded, 1 otherwise' }),
    'log-format': Flags.string({ description: 'log line format (stderr)', options: ['human', 'json'], default: 'human' }),
    'keep-jobs': Flags.integer({ description: 'finished jobs to keep in memory and in the database; beyond it the oldest finished are removed (0 = keep none: only queued and running jobs)', default: DEFAULT_CORE_CONFIG.keepJobs, min: 0 }),
    'keep-for': Flags.custom<number>({ description: 'also remove finished jobs this long after they finished: a whole number and a unit, s, m, h or d (90s, 30m, 2h, 7d) [default: no age limit]', helpValue: 'DURATION', parse: async (input) => parseDurationMs(input, '--keep-for') })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schedule);
    const nodes = flags.nodes ? await readNodesFile(flags.nodes) : [];
    const stateDir = flags['state-dir'] ?? chooseStateDir({ env: process.env, homedir: homedir() });
    const store = openStore(stateDir, { fresh: flags.fresh });
    // Under the terminal UI, log lines would draw over the screen: they go to a file instead.
    const logFile = flags.interactive ? createWriteStream(join(stateDir, 'scheduler.log'), { flags: 'a' }) : undefined;
    const log = createLogger({ format: flags['log-format'] as LogFormat, write: logFile ? (line) => logFile.write(line) : undefined });
    const allow = new Allowlist(flags['control-allow'], '--control-allow');
    const service = new SchedulerService({
      listen: { host: flags.host, port: flags.port }, store, log,
      core: { keepJobs: flags['keep-jobs'], keepForMs: flags['keep-for'] ?? DEFAULT_CORE_CONFIG.keepForMs },
    });
    let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
    try {
      const known = new Set([...service.core.state.nodes.keys(), ...nodes.map((n) => n.name)]);
      if (known.size === 0 && flags.jobs) {
        throw new UserError(`${flags.jobs}: no nodes to run on: give -n nodes.json (or add nodes later with pktgen submit --add-node)`, 'ERR_INPUT');
      }
      let jobsFile = flags.jobs ? await readJobsFile(flags.jobs, known) : undefined;
      // Listen before anything is sent: the old scheduler lost statuses by listening late.
      const address = await service.start();
      control = await startControlServer(service, { host: flags['control-host'], port: flags['control-port'], allow, log });
      log.info(`pktgen scheduler listening for statuses on ${formatAddress(address)}, control API on ${formatAddress(control.address)}`, { state: stateDir });
      await service.addNodes(nodes);
      if (jobsFile) queueJobsFile(service, store, flags.jobs!, jobsFile, log);
      jobsFile = undefined; // the parsed file can be large: let it go once queued
      if (flags.interactive) {
        const { runTui } = await import('../tui/run.js');
        const local = async (request: Partial<ControlRequest>) => {
          const response = await handleControl(service, { ...emptyRequest(), ...request });
          if (response.error) throw new UserError(response.error.message, response.error.code);
          return response;
        };
        await runTui(new ControlBackend(`scheduler ${formatAddress(address)} · logs ${join(stateDir, 'scheduler.log')}`, local));
        return;
      }
      const outcome = await this.waitForEnd(service, flags['exit-when-done']);
      if (outcome === 'drained') {
        const jobs = [...service.core.state.jobs.values()].sort((a, b) => a.seq - b.seq);
        this.log(formatTable(jobs.map(resultColumns)));
        this.log(`done: ${countByState(jobs)}`);
        process.exitCode = jobs.every((j) => j.state === 'succeeded') ? 0 : 1;
      }
    } finally {
      await control?.close();
      await service.stop();
      logFile?.end();
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

/** Queues a jobs file unless the same bytes were loaded before (then the log says so). */
function queueJobsFile(service: SchedulerService, store: SchedulerStore, path: string, file: Awaited<ReturnType<typeof readJobsFile>>, log: Logger): void {
  const seen = store.findFile(file.hash);
  if (seen) {
    log.info(`jobs file ${path} was already loaded on ${new Date(seen.loadedAt).toISOString()} (${seen.jobCount} jobs): not queued again; --fresh starts over`);
    return;
  }
  const ids = service.addJobs(
    file.jobs.map((j) => ({ nodes: j.nodes, priority: j.priority, data: j.data, target: j.target, timeoutS: j.timeoutS, retries: j.retries })),
    { hash: file.hash, path, loadedAt: Date.now(), jobCount: file.jobs.length },
  );
  log.info(`queued ${ids.length} job(s) from ${path}`);
}
