import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary } from '../helpers/binary.js';
import { testKeyFile } from '../helpers/key.js';
import { loadClusterKey } from '../../src/security/key.js';
import { isFinal } from '../../src/protocol/view.js';
import type { StatusDocument } from '../../src/control/format.js';
import { PktgenProcess, processesRunningFrom, waitForNoProcessFrom } from './processes.js';
import { JobWatcher } from './watcher.js';
import { computeFigures, figuresLine, nodeRuns, type FaultFigures, type NodeRuns, type SubmittedJob } from './figures.js';

/** A node of a fault test: its ports, its private helper cache, and every `serve` started for it. */
export interface FaultNode {
  name: string;
  port: number;
  reflectPort: number;
  /** PKTGEN_CACHE_DIR of its serve: every pktgen-emit of this node runs from inside it. */
  cacheDir: string;
  /** Driven over the unauthenticated legacy wire (nodes.json "legacy": true, serve --legacy-allow). */
  legacy: boolean;
  serves: PktgenProcess[];
}

/** A short, low-rate job (1 Mbit/s of 64-byte frames to the node's default target, 127.0.0.1:9). */
export interface FaultJob {
  node: string;
  t: number;
  w?: number;
  retries?: number;
  /** Seconds past w + t before the scheduler calls a silent job lost (default 30). */
  timeout?: number;
}

/**
 * Real processes on loopback for one fault test: `pktgen schedule` and `pktgen serve` nodes (the
 * built binary) on free ports, a private folder for the state, a private PKTGEN_CACHE_DIR per node,
 * a watcher of the scheduler's view, and the figures at the end. Every process it starts it ends by
 * PID in cleanup(), also when the test failed.
 */
export class FaultCluster {
  readonly nodes = new Map<string, FaultNode>();
  readonly schedulers: PktgenProcess[] = [];
  readonly jobs: SubmittedJob[] = [];
  /** pktgen-emit processes found without their serve, over the whole test. */
  readonly orphans = new Set<number>();
  readonly stateDir: string;
  private watcher?: JobWatcher;
  private files = 0;

  private constructor(readonly dir: string, readonly statusPort: number, readonly controlPort: number) {
    this.stateDir = join(dir, 'state');
  }

  /** A cluster of `nodes` (not started yet) in a new private folder. */
  static async create(nodes: Array<{ name: string; legacy?: boolean }>): Promise<FaultCluster> {
    requireBinary();
    // The real path: /proc/PID/exe shows it, and helpers are found by it.
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'pktgen-faults-')));
    const cluster = new FaultCluster(dir, await freePort(), await freePort());
    for (const { name, legacy = false } of nodes) {
      const cacheDir = join(dir, `cache-${name}`);
      mkdirSync(cacheDir, { mode: 0o700 });
      cluster.nodes.set(name, { name, port: await freePort(), reflectPort: await freePort(), cacheDir, legacy, serves: [] });
    }
    return cluster;
  }

  node(name: string): FaultNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name} in this fault test`);
    return node;
  }

  /** The newest serve of a node. */
  serve(name: string): PktgenProcess {
    const serve = this.node(name).serves.at(-1);
    if (!serve) throw new Error(`node ${name} was never started`);
    return serve;
  }

  get scheduler(): PktgenProcess {
    const scheduler = this.schedulers.at(-1);
    if (!scheduler) throw new Error('the scheduler was never started');
    return scheduler;
  }

  /** Starts `pktgen serve` for a node on its ports (the same ports every time) and waits for its start-up line. */
  async startNode(name: string): Promise<PktgenProcess> {
    const node = this.node(name);
    const args = ['serve', '--host', '127.0.0.1', '--port', String(node.port), '--reflect-port', String(node.reflectPort), '--name', name];
    if (node.legacy) args.push('--legacy-allow', '127.0.0.1/32');
    const serve = new PktgenProcess(`serve ${name} #${node.serves.length + 1}`, args, pktgenEnv({ PKTGEN_CACHE_DIR: node.cacheDir }));
    node.serves.push(serve);
    await serve.waitForLog(/pktgen node \S+ listening on/);
    return serve;
  }

  /**
   * Starts `pktgen schedule` with this test's nodes, ports and state folder (the same every time, so
   * a restart resumes), statuses heard on `host`; waits for its start-up line.
   */
  async startScheduler(options: { host?: string } = {}): Promise<PktgenProcess> {
    const nodesFile = join(this.dir, 'nodes.json');
    const nodes = [...this.nodes.values()].map((n) => ({ name: n.name, ip: '127.0.0.1', port: n.port, reflector: `127.0.0.1:${n.reflectPort}`, legacy: n.legacy }));
    writeFileSync(nodesFile, JSON.stringify({ nodes }));
    const args = ['schedule', '-n', nodesFile, '--host', options.host ?? '127.0.0.1', '--port', String(this.statusPort),
      '--control-port', String(this.controlPort), '--state-dir', this.stateDir];
    const scheduler = new PktgenProcess(`schedule #${this.schedulers.length + 1}`, args, pktgenEnv());
    this.schedulers.push(scheduler);
    await scheduler.waitForLog(/pktgen scheduler listening on/);
    this.watcher ??= new JobWatcher({ address: { host: '127.0.0.1', port: this.controlPort }, key: await loadClusterKey({ keyFile: testKeyFile(), create: false }) });
    return scheduler;
  }

  /** Submits jobs with `pktgen submit -j FILE` (in order, one priority); returns their ids. */
  async submit(jobs: FaultJob[]): Promise<string[]> {
    const file = join(this.dir, `jobs-${++this.files}.json`);
    const entries = jobs.map((job) => ({
      nodes: [job.node], priority: 0, retries: job.retries ?? 0, timeout: job.timeout ?? 30,
      data: { m: 1, t: job.t, w: job.w ?? 0, n: 1, s_min: 64, s_max: 0, r: false, l: false },
    }));
    writeFileSync(file, JSON.stringify({ jobs: entries }));
    const result = await execa(PKTGEN, ['submit', '-j', file, ...this.control()], { reject: false, env: pktgenEnv(), timeout: 30_000 });
    const ids = result.stdout.match(/\bj[0-9a-f]{12}\b/g) ?? [];
    if (result.exitCode !== 0 || ids.length !== jobs.length) throw new Error(`pktgen submit failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
    ids.forEach((id, i) => this.jobs.push({ id, retries: jobs[i]!.retries ?? 0 }));
    return ids;
  }

  /** `pktgen status --json` of the running scheduler. */
  async status(): Promise<StatusDocument> {
    const result = await execa(PKTGEN, ['status', '--json', ...this.control()], { reject: false, env: pktgenEnv(), timeout: 30_000 });
    if (result.exitCode !== 0) throw new Error(`pktgen status --json failed (exit ${result.exitCode}): ${result.stderr}`);
    return JSON.parse(result.stdout) as StatusDocument;
  }

  /** The watcher's record of the scheduler's view; it starts with the first scheduler. */
  get view(): JobWatcher {
    if (!this.watcher) throw new Error('the scheduler was never started');
    return this.watcher;
  }

  /** Resolves with the id of the `count`-th job a node logs as started (over all its serves). */
  async started(name: string, count = 1, timeoutMs = 30_000): Promise<string> {
    const pattern = new RegExp(`(?:[^]*?\\bstarted job (j[0-9a-f]+)\\b){${count}}`);
    const serve = this.serve(name);
    await serve.waitForLog(pattern, timeoutMs);
    return pattern.exec(serve.log)![1]!;
  }

  /** True once every submitted job is in a final state in the scheduler's view; false after `timeoutMs`. */
  async allEnded(timeoutMs: number): Promise<boolean> {
    return this.view.until((view) => this.jobs.every(({ id }) => view.jobs.some((job) => job.id === id && isFinal(job))), timeoutMs);
  }

  /** pktgen-emit processes of a node (its sender and reflector) that run now. */
  helpers(name: string): number[] {
    return processesRunningFrom(this.node(name).cacheDir).map((p) => p.pid);
  }

  /** Waits up to `timeoutMs` for a node with no serve running to have no pktgen-emit left; counts those left as orphans. */
  async helpersGone(name: string, timeoutMs: number): Promise<number[]> {
    const left = (await waitForNoProcessFrom(this.node(name).cacheDir, timeoutMs)).map((p) => p.pid);
    for (const pid of left) this.orphans.add(pid);
    return left;
  }

  /**
   * Reads the final `pktgen status --json`, stops every node and the scheduler as a user would
   * (SIGTERM), finds any pktgen-emit left, then prints and returns the figures. `undeliverable`: jobs
   * whose results cannot reach the scheduler by the test's design (see computeFigures).
   */
  async finish(name: string, options: { undeliverable?: ReadonlySet<string> } = {}): Promise<FaultFigures> {
    const final = (await this.status()).jobs;
    await this.watcher?.stop();
    this.noteOrphans();
    await Promise.all([...this.nodes.values()].flatMap((n) => n.serves).map((serve) => serve.stop()));
    await Promise.all(this.schedulers.map((scheduler) => scheduler.stop()));
    // Every serve has ended: whatever still runs from a node's cache folder outlived it.
    for (const node of this.nodes.values()) await this.helpersGone(node.name, 2000);
    const figures = computeFigures({
      jobs: this.jobs,
      final,
      histories: this.view.histories,
      runs: this.runs(),
      orphans: this.orphans.size,
      undeliverable: options.undeliverable,
    });
    console.log(`      ${figuresLine(name, figures)}`);
    return figures;
  }

  /** What the logs of every serve (killed ones included) say of each job. */
  runs(): Map<string, NodeRuns> {
    return nodeRuns([...this.nodes.values()].flatMap((n) => n.serves.map((serve) => serve.log)));
  }

  /** The logs of every process, for a failed test's report. */
  logs(): string {
    const all = [...this.schedulers, ...[...this.nodes.values()].flatMap((n) => n.serves)];
    return all.map((p) => `---- ${p.label} (pid ${p.pid}) ----\n${p.log}${p.output ? `---- ${p.label} stdout ----\n${p.output}` : ''}`).join('\n');
  }

  /** Ends every process this test started, by PID (stopped ones are continued first), and removes the folder. */
  async cleanup(): Promise<void> {
    await this.watcher?.stop();
    const all = [...this.schedulers, ...[...this.nodes.values()].flatMap((n) => n.serves)];
    await Promise.all(all.map((p) => p.stop('SIGKILL', 5000)));
    for (const node of this.nodes.values()) {
      for (const { pid } of processesRunningFrom(node.cacheDir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Helpers whose parent is not a serve of this test that still runs: they outlived their serve. */
  private noteOrphans(): void {
    const live = new Set([...this.nodes.values()].flatMap((n) => n.serves).filter((s) => s.running).map((s) => s.pid));
    for (const node of this.nodes.values()) {
      for (const { pid, ppid } of processesRunningFrom(node.cacheDir)) if (!live.has(ppid)) this.orphans.add(pid);
    }
  }

  private control(): string[] {
    return ['--scheduler', `127.0.0.1:${this.controlPort}`];
  }
}

/** A job of a view (the watcher's snapshot, or `status --json`), by id. */
export function jobIn<Job extends { id: string }>(view: { jobs: Job[] }, id: string): Job | undefined {
  return view.jobs.find((job) => job.id === id);
}
