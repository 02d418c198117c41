import { createWriteStream } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { ControlBackend } from '../tui/control-backend.js';
import { handleControl, startControlServer } from '../control/server.js';
import type { ControlLimits } from '../control/limits.js';
import { countByState, formatTable, resultColumns } from '../control/tables.js';
import { UserError } from '../errors.js';
import { readJobsFile, readNodesFile } from '../input/files.js';
import { createLogger, type LogFormat, type Logger } from '../log.js';
import { emptyRequest, type ControlRequest } from '../protocol/control-messages.js';
import { chooseStateDir, LOG_FILE, openStore, type SchedulerStore } from '../store/index.js';
import { describeListener, formatAddress, type Address } from '../transport/address.js';
import type { Allowlist } from '../transport/allowlist.js';
import { createdKeyNotice, type ClusterKey } from '../security/key.js';
import { SchedulerService } from './service.js';
import type { CoreConfig } from './core.js';

/** How `pktgen schedule` runs: its flags, parsed. */
export interface SchedulerOptions {
  nodesFile?: string | undefined;
  jobsFile?: string | undefined;
  /** Where statuses are heard. */
  listen: Address;
  /** Folder of the scheduler database; default: chooseStateDir(). */
  stateDir?: string | undefined;
  /** Forget saved state and start empty. */
  fresh: boolean;
  control: Address & { allow: Allowlist };
  /** The live terminal UI instead of log lines (which then go to scheduler.log in the state folder). */
  interactive: boolean;
  /** Stop once every queue is drained, print the results and say whether all succeeded. */
  exitWhenDone: boolean;
  logFormat: LogFormat;
  /** Nodes at these addresses are driven over the legacy wire (with a key; without one, every node is). */
  legacyAllow?: Allowlist;
  /** Finished jobs kept: how many, and for how long. */
  retention?: Pick<CoreConfig, 'keepJobs' | 'keepForMs'>;
  /** The cluster key: control requests must prove it. */
  key: ClusterKey;
  /** What a control request (submit, the terminal UI) may add; default DEFAULT_CONTROL_LIMITS. */
  limits?: ControlLimits;
}

/**
 * Runs the scheduler until SIGINT/SIGTERM, the terminal UI's quit, or (exitWhenDone) drained queues;
 * then prints the results with `print` and returns the exit code: 0 if every job succeeded, else 1.
 * Returns undefined when it stopped for any other reason.
 */
export async function runScheduler(options: SchedulerOptions, print: (text: string) => void): Promise<number | undefined> {
  const nodes = options.nodesFile ? await readNodesFile(options.nodesFile) : [];
  const stateDir = options.stateDir ?? chooseStateDir({ env: process.env, homedir: homedir() });
  const store = openStore(stateDir, { fresh: options.fresh });
  // Under the terminal UI, log lines would draw over the screen: they go to a file instead.
  const logFile = options.interactive ? createWriteStream(join(stateDir, LOG_FILE), { flags: 'a', mode: 0o600 }) : undefined;
  const log = createLogger({ format: options.logFormat, write: logFile ? (line) => logFile.write(line) : undefined });
  const service = new SchedulerService({ listen: options.listen, store, log, core: options.retention, legacyAllow: options.legacyAllow, sessionSecret: options.key, name: hostname() });
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  try {
    const known = new Set([...service.nodes().map((n) => n.name), ...nodes.map((n) => n.name)]);
    if (known.size === 0 && options.jobsFile) {
      throw new UserError(`${options.jobsFile}: no nodes to run on: give -n nodes.json (or add nodes later with pktgen submit --add-node)`, 'ERR_INPUT');
    }
    let jobsFile = options.jobsFile ? await readJobsFile(options.jobsFile, known) : undefined;
    // Listen before anything is sent: the old scheduler lost statuses by listening late.
    const address = await service.start();
    control = await startControlServer(service, { host: options.control.host, port: options.control.port, allow: options.control.allow, key: options.key, log, limits: options.limits });
    const created = createdKeyNotice(options.key);
    if (created) log.info(created);
    // Every socket the scheduler listens on, as bound: what a firewall rule or a review needs to know.
    const listeners = [describeListener(address, 'TCP', 'statuses from nodes'), describeListener(control.address, 'TCP', 'control API for submit, status and the UI')];
    log.info(`pktgen scheduler listening on ${listeners.join(' and ')}`, { control_allow: options.control.allow.toString(), state: stateDir, key: options.key.source });
    await service.addNodes(nodes);
    if (jobsFile) queueJobsFile(service, store, options.jobsFile!, jobsFile, log);
    jobsFile = undefined; // the parsed file can be large: let it go once queued
    if (options.interactive) {
      const { runTui } = await import('../tui/run.js');
      const local = async (request: Partial<ControlRequest>) => {
        const response = await handleControl(service, { ...emptyRequest(), ...request }, options.limits);
        if (response.error) throw new UserError(response.error.message, response.error.code);
        return response;
      };
      await runTui(new ControlBackend(`scheduler ${formatAddress(address)} · logs ${join(stateDir, LOG_FILE)}`, local));
      return undefined;
    }
    if ((await waitForEnd(service, options.exitWhenDone)) === 'signal') return undefined;
    const jobs = service.jobs();
    print(formatTable(jobs.map(resultColumns)));
    // Retention may have removed finished jobs: the exit code counts them too.
    const held = new Set(jobs.map((j) => j.id));
    const removed = [...service.unsuccessful].filter((id) => !held.has(id)).length;
    print(`done: ${countByState(jobs)}${removed > 0 ? `; ${removed} more did not succeed (removed by --keep-jobs/--keep-for)` : ''}`);
    return service.unsuccessful.size === 0 && jobs.every((j) => j.state === 'succeeded') ? 0 : 1;
  } finally {
    await control?.close();
    await service.stop();
    logFile?.end();
  }
}

/** Resolves on SIGINT/SIGTERM, or when drained if asked to exit then. */
function waitForEnd(service: SchedulerService, exitWhenDone: boolean): Promise<'signal' | 'drained'> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    if (!exitWhenDone) return;
    if (service.isDrained()) resolve('drained');
    service.on('drained', () => resolve('drained'));
  });
}

/** Queues a jobs file unless the same bytes were loaded before (then the log says so). */
function queueJobsFile(service: SchedulerService, store: SchedulerStore, path: string, file: Awaited<ReturnType<typeof readJobsFile>>, log: Logger): void {
  const seen = store.findFile(file.hash);
  if (seen) {
    log.info(`jobs file ${path} was already loaded on ${new Date(seen.loadedAt).toISOString()} (${seen.jobCount} jobs): not queued again; --fresh starts over`);
    return;
  }
  const ids = service.addJobs(file.jobs, { hash: file.hash, path, loadedAt: Date.now(), jobCount: file.jobs.length });
  log.info(`queued ${ids.length} job(s) from ${path}`);
}
