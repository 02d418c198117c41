/**
 * Legacy statuses out of order: a real SchedulerService (SQLite store, no key, so every node is
 * driven over the legacy wire) against simulated old daemons in a child process. Like the old
 * forking daemon on a job of no length, a simulated node answers each job with STARTED and SUCCESS
 * that name no job, each on a connection of its own, opened together: the scheduler's status
 * listeners may take them in either order.
 *
 *   npm run bench:legacy-order -- [--nodes 1000] [--jobs 10] [--max-seconds 120]
 *
 * --jobs is per node. Node i listens and reports on an address of its own in 127.1.0.0/16, so each
 * status matches one node and a misplaced STARTED is exact to count. (Old daemons all report from
 * 127.0.0.1; 1,000 of them on one address would measure the status port's cap of 64 unfinished
 * connections per source address instead, which sheds the statuses of such a crowd.)
 *
 * Prints the jobs that succeeded, the "matches no job that is running" warnings, and the jobs marked
 * running before their node had them (a late STARTED of the node's previous job), then a JSON line.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SchedulerService } from '../src/scheduler/service.js';
import { openStore } from '../src/store/index.js';
import { createLogger } from '../src/log.js';
import type { JobSpec } from '../src/input/job.js';
import { readJob } from './wire-lite.js';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '120' },
    sim: { type: 'boolean', default: false },
  },
});
const nodeCount = Number(flags.nodes);

/** Node i's address, its own. */
const hostOf = (i: number): string => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

type SimMessage = { type: 'ready'; ports: number[] } | { type: 'received'; at: Array<[string, number]>; retries: number; failures: number };

if (flags.sim) await simulate();
else await measure();

// ---- the simulated old daemons (child process) ----

async function simulate(): Promise<void> {
  const STARTED = Buffer.from([0, 0, 0, 2, 0x08, 0x03]);
  const SUCCESS = Buffer.from([0, 0, 0, 2, 0x08, 0x01]);
  const received: Array<[string, number]> = [];
  let statusPort = 0;
  let retries = 0;
  let failures = 0;
  // Taken once the scheduler closed its side after reading (it saved the status); a connection the
  // status port shed (it holds at most 1,024) is sent again, as a pktgen node's outbox does.
  const send = (host: string, frame: Buffer, attempt = 0): void => {
    let taken = false;
    const socket = connect({ port: statusPort, host: '127.0.0.1', localAddress: host });
    socket.on('error', () => (taken = false));
    socket.on('end', () => (taken = true));
    socket.end(frame);
    socket.on('close', (hadError) => {
      if (taken && !hadError) return;
      if (attempt >= 50) return void (failures += 1);
      retries += 1;
      setTimeout(() => send(host, frame, attempt + 1), 100);
    });
  };
  const servers: Server[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const host = hostOf(i);
    const server = createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 4 || buffered.length < 4 + buffered.readUInt32BE(0)) return;
        const { id } = readJob(buffered.subarray(4, 4 + buffered.readUInt32BE(0)));
        received.push([id, Date.now()]);
        socket.end();
        // A forked child per job: STARTED, then at once (a job of no length) SUCCESS, not waiting.
        send(host, STARTED);
        send(host, SUCCESS);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host, backlog: 511 }, resolve);
    });
    servers.push(server);
  }
  process.on('message', (message: { type: string; statusPort?: number }) => {
    if (message.type === 'statusPort') statusPort = message.statusPort!;
    if (message.type === 'report') process.send!({ type: 'received', at: received, retries, failures } satisfies SimMessage);
    if (message.type === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', ports: servers.map((server) => (server.address() as { port: number }).port) } satisfies SimMessage);
}

// ---- the scheduler, measured (parent process) ----

async function measure(): Promise<void> {
  const perNode = Number(flags.jobs);
  const maxSeconds = Number(flags['max-seconds']);
  const sim = fork(fileURLToPath(import.meta.url), ['--sim', '--nodes', String(nodeCount)], { stdio: 'inherit' });
  const next = <T extends SimMessage['type']>(type: T): Promise<Extract<SimMessage, { type: T }>> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} from the simulator within 60 s`)), 60_000);
    sim.on('message', function on(message: SimMessage) {
      if (message.type !== type) return;
      clearTimeout(timer);
      sim.off('message', on);
      resolve(message as Extract<SimMessage, { type: T }>);
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'pktgen-legacy-order-'));
  const lines = { warnings: 0, unmatched: 0, samples: [] as string[], others: [] as string[] };
  const log = createLogger({
    level: 'warn',
    write: (line) => {
      lines.warnings += 1;
      if (/matches no job that is running/.test(line)) {
        lines.unmatched += 1;
        if (lines.samples.length < 3) lines.samples.push(line.trim().slice(0, 160));
      } else if (lines.others.length < 3) {
        lines.others.push(line.trim().slice(0, 160));
      }
    },
  });
  try {
    const { ports } = await next('ready');
    const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: openStore(dir, { fresh: true }), log, core: { keepJobs: Infinity } });
    await service.start();
    sim.send({ type: 'statusPort', statusPort: service.statusPort });
    await service.addNodes(ports.map((port, i) => ({ name: `n${i}`, host: hostOf(i), port })));
    const data = { m: 1, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
    const specs: JobSpec[] = Array.from({ length: perNode }, (_, k) => ({
      nodes: ports.map((_port, i) => `n${i}`), priority: k, data, target: '', timeoutS: 30, retries: 0,
    })) as JobSpec[];
    const started = performance.now();
    const drained = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), maxSeconds * 1000);
      service.once('drained', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    service.addJobs(specs);
    const wasDrained = await drained;
    const wallS = (performance.now() - started) / 1000;
    // Late statuses still on their way: a few turns for them to arrive and be counted.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sim.send({ type: 'report' });
    const report = await next('received');
    const receivedAt = new Map(report.at);
    const jobs = service.jobs();
    const byState = new Map<string, number>();
    for (const job of jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
    // Marked running before its node had it: the STARTED was another job's.
    const early = jobs.filter((job) => job.startedAt !== undefined && job.startedAt < (receivedAt.get(job.id) ?? Infinity)).length;
    await service.stop();
    const summary = {
      nodes: nodeCount, jobs: jobs.length, drained: wasDrained, wall_s: Number(wallS.toFixed(2)),
      states: Object.fromEntries(byState), received_by_nodes: receivedAt.size, unmatched_warnings: lines.unmatched,
      warnings_and_errors: lines.warnings, marked_running_before_received: early, status_retries: report.retries, status_failures: report.failures,
    };
    console.log(`legacy statuses out of order: ${nodeCount} nodes, ${jobs.length} jobs, ${wallS.toFixed(1)} s${wasDrained ? '' : ' (NOT drained)'}`);
    console.log(`  jobs by state: ${[...byState].map(([state, n]) => `${state} ${n}`).join(', ')}; received by the nodes ${receivedAt.size}`);
    console.log(`  "matches no job that is running" warnings: ${lines.unmatched} (all warnings and errors: ${lines.warnings})`);
    for (const sample of lines.samples) console.log(`    e.g. ${sample}`);
    for (const sample of lines.others) console.log(`    other: ${sample}`);
    console.log(`  jobs marked running before their node had them: ${early}`);
    const reasons = new Map<string, number>();
    for (const job of jobs) if (job.state !== 'succeeded') reasons.set(`${job.state}: ${job.reason}`, (reasons.get(`${job.state}: ${job.reason}`) ?? 0) + 1);
    for (const [reason, n] of reasons) console.log(`  ${n} x ${reason}`);
    console.log(JSON.stringify(summary));
  } finally {
    sim.send({ type: 'stop' });
    sim.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}
