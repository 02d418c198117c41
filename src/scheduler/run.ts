import { catchStopSignals, type StopSignal } from '../stop-signals.js';
import { createWriteStream } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { ControlBackend } from '../tui/control-backend.js';
import { handleControl, startControlServer } from '../control/server.js';
import type { ControlLimits } from '../control/limits.js';
import { countByState, formatTable, resultColumns } from '../control/tables.js';
import { openJobLines } from '../control/open-jobs.js';
import { EXIT_TIMED_OUT, UserError } from '../errors.js';
import { readJobsFile, readNodesFile, type NodeSpec } from '../input/files.js';
import { formatDuration } from '../input/duration.js';
import { expectationsJson } from '../input/job.js';
import { isFinal } from '../protocol/view.js';
import { createLogger, type LogFormat, type Logger } from '../log.js';
import { emptyRequest, type ControlRequest } from '../protocol/control-messages.js';
import { chooseStateDir, LOG_FILE, openStore, type SchedulerStore } from '../store/index.js';
import { describeListener, formatAddress, type Address } from '../transport/address.js';
import type { Allowlist } from '../transport/allowlist.js';
import { createdKeyNotice, type ClusterKey } from '../security/key.js';
import { SchedulerService } from './service.js';
import type { CoreConfig } from './core.js';
import { waitForEnd } from './wait-end.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';

/** How `pktgen schedule` runs: its flags, parsed. */
export interface SchedulerOptions {
  nodesFile?: string | undefined;
  /** Nodes from --add-node, added after the nodes file's. */
  addNodes?: NodeSpec[] | undefined;
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
  /** With exitWhenDone: stop this long (ms) after start with exit code 3, naming the jobs still open and why. */
  deadlineMs?: number | undefined;
  logFormat: LogFormat;
  /** Nodes at these addresses are driven over the legacy wire (with a key; without one, every node is). */
  legacyAllow?: Allowlist;
  /** Finished jobs kept: how many, and for how long. */
  retention?: Pick<CoreConfig, 'keepJobs' | 'keepForMs'>;
  /** The cluster key: control requests must prove it. */
  key: ClusterKey;
  /** What a control request (submit, the terminal UI) may add; default DEFAULT_CONTROL_LIMITS. */
  limits?: ControlLimits;
  /** Where to serve Prometheus metrics (schedule --metrics, already checked); absent = off. */
  metrics?: Address | undefined;
}

/**
 * Runs the scheduler until SIGINT, SIGTERM or SIGHUP, the terminal UI's quit, or (exitWhenDone) drained queues
 * or the deadline; then prints the results with `print` and returns the exit code: 0 if every job
 * succeeded, 1 if one did not, 3 at the deadline. Returns undefined when it stopped for any other reason.
 * The results are this start's: jobs that finished before it are left out, except the jobs of the
 * run of the jobs file it resumed.
 */
export async function runScheduler(options: SchedulerOptions, print: (text: string) => void): Promise<number | undefined> {
  // Caught before anything starts, as serve does: a signal during start-up still stops cleanly.
  const signals = catchStopSignals();
  try {
    return await runUntilStopped(options, print, signals.received);
  } finally {
    signals.dispose();
  }
}

async function runUntilStopped(options: SchedulerOptions, print: (text: string) => void, stopped: Promise<StopSignal>): Promise<number | undefined> {
  const fileNodes = options.nodesFile ? await readNodesFile(options.nodesFile) : [];
  const nodes = [...fileNodes, ...checkAddNodes(options.addNodes ?? [], fileNodes, options.nodesFile)];
  const where = (i: number) => (i < fileNodes.length ? `${options.nodesFile}: $.nodes[${i}]` : `--add-node ${nodes[i]!.name}`);
  const stateDir = options.stateDir ?? chooseStateDir({ env: process.env, homedir: homedir() });
  const store = openStore(stateDir, { fresh: options.fresh });
  // Under the terminal UI, log lines would draw over the screen: they go to a file instead.
  const logFile = options.interactive ? createWriteStream(join(stateDir, LOG_FILE), { flags: 'a', mode: 0o600 }) : undefined;
  const log = createLogger({ format: options.logFormat, write: logFile ? (line) => logFile.write(line) : undefined });
  const service = new SchedulerService({ listen: options.listen, store, log, core: options.retention, legacyAllow: options.legacyAllow, sessionSecret: options.key, name: hostname() });
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  let metrics: MetricsEndpoint | undefined;
  try {
    const known = new Set([...service.nodes().map((n) => n.name), ...nodes.map((n) => n.name)]);
    if (known.size === 0 && options.jobsFile) {
      throw new UserError(`${options.jobsFile}: no nodes to run on: give -n nodes.json or --add-node NAME=HOST[:PORT]`, 'ERR_INPUT');
    }
    // Jobs that finished before this start: history, not this start's results.
    const history = new Set(service.jobs().filter(isFinal).map((job) => job.id));
    let jobsFile = options.jobsFile ? await readJobsFile(options.jobsFile, known) : undefined;
    // Listen before anything is sent: the old scheduler lost statuses by listening late.
    const address = await service.start();
    control = await startControlServer(service, { host: options.control.host, port: options.control.port, allow: options.control.allow, key: options.key, log, limits: options.limits });
    if (options.metrics) {
      // Loaded only when asked for: a scheduler without --metrics never loads prom-client.
      const [{ schedulerRegistry }, { startMetricsEndpoint }] = await Promise.all([import('../metrics/scheduler-metrics.js'), import('../metrics/endpoint.js')]);
      metrics = await startMetricsEndpoint(schedulerRegistry(service), options.metrics, log);
    }
    const created = createdKeyNotice(options.key);
    if (created) log.info(created);
    // Every socket the scheduler listens on, as bound: what a firewall rule or a review needs to know.
    const listeners = [describeListener(address, 'TCP', 'statuses from nodes'), describeListener(control.address, 'TCP', 'control API for submit, status and the UI')];
    if (metrics) listeners.push(describeListener(metrics.address, 'TCP', 'Prometheus /metrics'));
    log.info(`pktgen scheduler listening on ${listeners.join(' and ')}`, { control_allow: options.control.allow.toString(), state: stateDir, key: options.key.source });
    await service.addNodes(nodes, where);
    const run = jobsFile ? queueJobsFile(service, store, options.jobsFile!, jobsFile, log) : [];
    for (const id of run) history.delete(id);
    jobsFile = undefined; // the parsed file can be large: let it go once queued
    if (options.interactive) {
      const { runTui } = await import('../tui/run.js');
      const local = async (request: Partial<ControlRequest>) => {
        const response = await handleControl(service, { ...emptyRequest(), ...request }, options.limits);
        if (response.error) throw new UserError(response.error.message, response.error.code);
        return response;
      };
      const quit = new AbortController();
      void stopped.then(() => quit.abort());
      await runTui(new ControlBackend(`scheduler ${formatAddress(address)} · logs ${join(stateDir, LOG_FILE)}`, local), { signal: quit.signal });
      return undefined;
    }
    const end = await waitForEnd(service, { exitWhenDone: options.exitWhenDone, deadlineMs: options.deadlineMs, log, stopped });
    if (end === 'signal') return undefined;
    const jobs = service.jobs().filter((job) => !history.has(job.id));
    print(formatTable(jobs.map((job) => resultColumns({ ...job, expect: job.expect && expectationsJson(job.expect) }))));
    const earlier = history.size > 0 ? ` (${history.size} job(s) that finished before this start are not shown: pktgen status lists them)` : '';
    if (end === 'deadline') {
      // The scheduler's own control handler answers, as it would `submit --wait --timeout`.
      const open = await handleControl(service, { ...emptyRequest(), query: true, states: ['pending', 'sent', 'running'], explain: true });
      print([`deadline of ${formatDuration(options.deadlineMs!)} (--deadline) passed with ${open.jobs_total} job(s) open; so far: ${countByState(jobs)}${earlier}`,
        ...openJobLines(open.jobs, open.nodes, open.queued_ahead ?? {}, Date.now())].join('\n'));
      return EXIT_TIMED_OUT;
    }
    // Retention may have removed finished jobs: the exit code counts them too.
    const held = new Set(jobs.map((j) => j.id));
    const removed = [...service.unsuccessful].filter((id) => !held.has(id)).length;
    print(`done: ${countByState(jobs)}${removed > 0 ? `; ${removed} more did not succeed (removed by --keep-jobs/--keep-for)` : ''}${earlier}`);
    return service.unsuccessful.size === 0 && jobs.every((j) => j.state === 'succeeded') ? 0 : 1;
  } finally {
    await metrics?.close();
    await control?.close();
    await service.stop();
    logFile?.end();
  }
}

/** --add-node nodes, refused (exit 2) when one names a node twice or one of the nodes file. */
function checkAddNodes(added: NodeSpec[], fileNodes: NodeSpec[], nodesFile: string | undefined): NodeSpec[] {
  const seen = new Map(fileNodes.map((node, i) => [node.name, `${nodesFile}: $.nodes[${i}]`]));
  for (const node of added) {
    const first = seen.get(node.name);
    if (first) throw new UserError(`--add-node ${node.name}: node ${node.name} is already given (${first}); give each node once`, 'ERR_INPUT');
    seen.set(node.name, `--add-node ${node.name}`);
  }
  return added;
}

/**
 * Queues a jobs file as a new run, unless the file's latest run (same bytes) still has jobs open:
 * then that run goes on, with no job queued twice. The log says which. Returns the run's job ids.
 */
function queueJobsFile(service: SchedulerService, store: SchedulerStore, path: string, file: Awaited<ReturnType<typeof readJobsFile>>, log: Logger): string[] {
  const last = store.findFile(file.hash);
  if (last) {
    const runJobs = (last.jobIds ?? []).map((id) => service.core.state.jobs.get(id));
    const open = runJobs.filter((job) => job && !isFinal(job)).length;
    if (last.jobIds === undefined && !service.isDrained()) {
      // Recorded by an older pktgen, without its jobs: while any job is open, it may be one of them.
      log.info(`resuming run 1 of ${path} (loaded ${iso(last.loadedAt)} by an older pktgen, which did not record its jobs; ${service.core.openCount('')} job(s) are open)`);
      return [];
    }
    if (open > 0) {
      log.info(`resuming run ${last.run} of ${path}: ${open} of ${last.jobIds!.length} jobs open`);
      return last.jobIds!;
    }
    const finished = Math.max(0, ...runJobs.map((job) => job?.finishedAt ?? 0));
    log.info(`${path} ran before (run ${last.run}, loaded ${iso(last.loadedAt)}, ${finished > 0 ? `finished ${iso(finished)}` : 'finished'}): queued as run ${last.run + 1}`);
  }
  const run = (last?.run ?? 0) + 1;
  const ids = service.addJobs(file.jobs, { hash: file.hash, path, loadedAt: Date.now(), jobCount: file.jobs.length, run });
  log.info(`queued ${ids.length} job(s) from ${path} (run ${run})`);
  return ids;
}

const iso = (ms: number): string => new Date(ms).toISOString();
