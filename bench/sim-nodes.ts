/**
 * Simulated nodes for bench/scheduler.ts, run as a forked child so the scheduler's event loop is
 * not shared with them: N loopback listeners that answer every job at once, zero-length jobs. Each
 * speaks both wires on one port, told apart by the first 4 bytes as a pktgen node does:
 * - legacy: STARTED, then (once STARTED's connection has closed, as a real node's ordered outbox
 *   does) SUCCESS, each on a connection of its own to the job's reply address (":PORT" = the job
 *   connection's source host);
 * - session: a real acceptSession() with the bench's key, then on the session `accepted`, STARTED
 *   and SUCCESS for every job, as src/agent does: the statuses go through a SessionOutbox per node
 *   (src/agent's own), kept until the scheduler acknowledges them and sent again on a new session.
 *
 * A node runs a job id once, as src/agent does: a job delivered again is counted (`duplicates`), over
 * a session only acknowledged, over the legacy wire answered with its statuses again. Every job id
 * that arrived is kept, with its node and how many times it came, until the next report.
 *
 * Latency is measured here, on one clock: from the moment a node's SUCCESS is handed to the kernel
 * to the moment the chunk holding that node's next job has arrived (before it is decoded).
 *
 * IPC: takes {type: 'key', key} (hex, the cluster key of the session runs: never on a command line)
 * first; then sends {type: 'ready', ports}; takes {type: 'mode', silent, holdMs} (silent: take jobs
 * but never report; holdMs: SUCCESS 0.5..1.5 times that long after STARTED, a job's duration),
 * {type: 'report', received?} (answers with a SimReport, with the ids that arrived if `received`, and
 * clears the samples and the ids), {type: 'roundTrips', port, count}
 * (answers with the round trips' summary) and {type: 'stop'}. Exits when the parent goes away.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SessionOutbox } from '../src/agent/session-outbox.js';
import type { Logger } from '../src/log.js';
import type { Job } from '../src/protocol/messages.js';
import { SESSION_MAGIC } from '../src/protocol/session-messages.js';
import type { SessionChannel } from '../src/session/channel.js';
import { secretFromBytes, type SessionSecret } from '../src/session/crypto.js';
import { acceptSession } from '../src/session/handshake.js';
import { syscalls, syscallsSince, type Syscalls } from './instruments.js';
import { checkWireLite, readJob, statusFrame } from './wire-lite.js';
import { Samples, type Summary } from './stats.js';

const HOST = '127.0.0.1';
const STATUS_RETRIES = 50;
const RETRY_DELAY_MS = 100;

/** What the simulator saw since the last report. */
export interface SimReport {
  type: 'report';
  jobs: number;
  /** SUCCESS written -> the same node's next job received, in ms. */
  latencyMs: Summary;
  statusRetries: number;
  statusFailures: number;
  /** CPU seconds the simulator used since the last report, and its read and write system calls. */
  cpuS: number;
  syscalls: Syscalls;
  /** Sessions accepted, refused (handshake failed) and ended since the last report. */
  sessions: { opened: number; refused: number; ended: number };
  /** Arrivals of a job id that had arrived before (at any node) since the last report. */
  duplicates: number;
  /** Lines the nodes' session outboxes logged (an outbox full drops a status). */
  outboxErrors: string[];
  /** With `received`: each job id that arrived, the node it first came to, and how many times it came. */
  received?: Array<[jobId: string, node: number, count: number]>;
}

export type SimCommand =
  | { type: 'key'; key: string } | { type: 'mode'; silent: boolean; holdMs: number } | { type: 'report'; received?: boolean } | { type: 'stop' }
  | { type: 'roundTrips'; port: number; count: number };

let silent = false;
let holdMs = 0;
let jobs = 0;
let statusRetries = 0;
let statusFailures = 0;
let sessions = { opened: 0, refused: 0, ended: 0 };
let duplicates = 0;
let outboxErrors: string[] = [];
/** Per job id: the node it first came to and how many times it came. */
let received = new Map<string, { node: number; count: number }>();
/** Per node, created with its first session: statuses kept until the scheduler acknowledges them. */
let outboxes: Array<SessionOutbox | undefined>;
let latency = new Samples();
let cpu = process.cpuUsage();
let calls = syscalls();
/** Per node: when its last SUCCESS was written (ms, performance.now()), or NaN. */
let successAt: Float64Array;
/** Per node: when the last chunk arrived on its session (the one a job message came in). */
let chunkAt: Float64Array;
let names: string[];
let secret: SessionSecret;

/** Sends one status frame on its own connection; retries a refused connection like a node does. */
function sendStatus(host: string, port: number, frame: Buffer, onWritten: () => void, onClosed: () => void, attempt = 0): void {
  let written = false;
  const socket = connect(port, host);
  socket.on('error', () => undefined);
  socket.write(frame, (error) => {
    if (error) return;
    written = true;
    onWritten();
  });
  socket.end();
  socket.on('close', () => {
    if (written) return onClosed();
    if (attempt >= STATUS_RETRIES) {
      statusFailures += 1;
      return onClosed();
    }
    statusRetries += 1;
    setTimeout(() => sendStatus(host, port, frame, onWritten, onClosed, attempt + 1), RETRY_DELAY_MS);
  });
}

/** Counts an arrival of `jobId` at node `index`; true the first time it came. */
function firstArrival(index: number, jobId: string): boolean {
  const seen = received.get(jobId);
  if (!seen) {
    received.set(jobId, { node: index, count: 1 });
    return true;
  }
  seen.count += 1;
  duplicates += 1;
  return false;
}

/** An outbox's log: only its errors (a full outbox drops a status) matter here. */
const outboxLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (line) => void outboxErrors.push(line) };

/** A job reached node `index` at `now`: the sample, if its SUCCESS went out before. */
function sample(index: number, now: number): void {
  jobs += 1;
  if (!Number.isNaN(successAt[index]!) && !Number.isNaN(now)) latency.add(now - successAt[index]!);
  successAt[index] = Number.NaN;
}

function jobArrived(index: number, payload: Buffer, peer: Socket): void {
  sample(index, performance.now());
  const job = readJob(payload);
  // Delivered again: answered with its statuses again (it finished at once), not counted as run.
  firstArrival(index, job.id);
  if (silent) return;
  const host = peer.remoteAddress!.replace(/^::ffff:/, '');
  const port = Number(job.replyTo.slice(1));
  const success = () => sendStatus(host, port, statusFrame('SUCCESS', job.id, names[index]!), () => (successAt[index] = performance.now()), () => undefined);
  sendStatus(host, port, statusFrame('STARTED', job.id, names[index]!), () => undefined, () =>
    // Spread over 0.5..1.5 x holdMs, so the nodes do not all report in the same millisecond.
    (holdMs > 0 ? setTimeout(success, holdMs * (0.5 + Math.random())) : success()));
}

/** A job on node `index`'s session: acknowledged, then STARTED and SUCCESS through the node's outbox. */
function sessionJob(index: number, channel: SessionChannel, job: Job): void {
  if (job.cancel) return;
  sample(index, chunkAt[index]!);
  channel.send({ kind: 'accepted', jobId: job.id });
  // Delivered again (its acknowledgement was lost): acknowledged, never run twice.
  if (!firstArrival(index, job.id) || silent) return;
  const outbox = outboxes[index]!;
  const status = (type: 'STARTED' | 'SUCCESS') => ({ type, job_id: job.id, node: names[index]!, reason: '', elapsed_s: 0 });
  outbox.post(status('STARTED'));
  const success = () => {
    outbox.post(status('SUCCESS'));
    // The session writes a go's frames on a tick queued from a microtask (src/session/channel.ts):
    // queued the same way, later, this runs after that write, the moment SUCCESS left.
    if (channel.open) queueMicrotask(() => process.nextTick(() => (successAt[index] = performance.now())));
  };
  if (holdMs > 0) setTimeout(success, holdMs * (0.5 + Math.random()));
  else success();
}

/** A scheduler opened a session with node `index` (`head`: what followed the magic). */
function sessionArrived(index: number, socket: Socket, head: Buffer): void {
  acceptSession(socket, head, secret, names[index]!).then((channel) => {
    sessions.opened += 1;
    // Ahead of the session's own reader: the time a job's bytes arrived, before any decoding.
    socket.prependListener('data', () => (chunkAt[index] = performance.now()));
    const outbox = (outboxes[index] ??= new SessionOutbox(outboxLog));
    channel.on('message', (message) => {
      if (message.kind === 'job') sessionJob(index, channel, message.job);
      else if (message.kind === 'statusAck') outbox.acked(message.jobId, message.type);
    });
    channel.on('closed', () => (sessions.ended += 1));
    // What the last session left unacknowledged goes out first, in order.
    outbox.attach(channel);
    channel.start();
  }, () => (sessions.refused += 1));
}

/**
 * One node: a session (the first 4 bytes are the magic), or one length-prefixed legacy frame per
 * connection (the scheduler closes its side).
 */
function listen(index: number): Promise<Server> {
  const server = createServer((socket) => {
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', function legacy(chunk: Buffer) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (buffered.length < 4) return;
      if (buffered.subarray(0, 4).equals(SESSION_MAGIC)) {
        socket.off('data', legacy);
        return sessionArrived(index, socket, buffered.subarray(4));
      }
      if (buffered.length < 4 + buffered.readUInt32BE(0)) return;
      const payload = buffered.subarray(4, 4 + buffered.readUInt32BE(0));
      buffered = Buffer.alloc(0);
      jobArrived(index, payload, socket);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, backlog: 511 }, () => resolve(server));
  });
}

/**
 * `count` round trips of 150 bytes (about a SUCCESS frame) to an echo server at `port`, one at a
 * time: the floor under status-to-next-job at one node, between two processes on this machine.
 */
function roundTrips(port: number, count: number): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const samples = new Samples();
    const payload = Buffer.alloc(150, 1);
    const socket = connect(port, HOST);
    socket.setNoDelay(true);
    let sentAt = 0;
    let done = 0;
    const send = () => {
      sentAt = performance.now();
      socket.write(payload);
    };
    socket.on('error', reject);
    socket.on('connect', send);
    socket.on('data', () => {
      samples.add(performance.now() - sentAt);
      if (++done < count) return send();
      socket.destroy();
      resolve(samples.summary());
    });
  });
}

/** The first IPC message: the key, as hex. */
function key(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sim-nodes: no key from the parent within 10 s')), 10_000);
    process.once('message', (message: SimCommand) => {
      clearTimeout(timer);
      if (message.type === 'key') resolve(Buffer.from(message.key, 'hex'));
      else reject(new Error(`sim-nodes: expected the key first, got ${message.type}`));
    });
  });
}

async function main(count: number): Promise<void> {
  checkWireLite();
  secret = secretFromBytes(await key());
  successAt = new Float64Array(count).fill(Number.NaN);
  chunkAt = new Float64Array(count).fill(Number.NaN);
  outboxes = new Array<SessionOutbox | undefined>(count);
  names = Array.from({ length: count }, (_, i) => `n${i}`);
  const servers: Server[] = [];
  const stop = (): void => {
    for (const server of servers) server.close();
    process.disconnect?.();
    process.exit(0);
  };
  process.on('disconnect', stop);
  for (let i = 0; i < count; i++) servers.push(await listen(i));
  process.on('message', (command: SimCommand) => {
    if (command.type === 'stop') return stop();
    if (command.type === 'key') return;
    if (command.type === 'roundTrips') {
      return void roundTrips(command.port, command.count).then((latencyMs) => process.send!({ type: 'roundTrips', latencyMs }), () => process.send!({ type: 'roundTrips', latencyMs: new Samples().summary() }));
    }
    if (command.type === 'mode') {
      ({ silent, holdMs } = command);
      return process.send!({ type: 'mode', silent, holdMs });
    }
    const used = process.cpuUsage(cpu);
    const report: SimReport = {
      type: 'report', jobs, latencyMs: latency.summary(), statusRetries, statusFailures, cpuS: (used.user + used.system) / 1e6, syscalls: syscallsSince(calls), sessions,
      duplicates, outboxErrors, received: command.received ? [...received].map(([id, { node, count }]) => [id, node, count]) : undefined,
    };
    cpu = process.cpuUsage();
    calls = syscalls();
    jobs = statusRetries = statusFailures = duplicates = 0;
    sessions = { opened: 0, refused: 0, ended: 0 };
    outboxErrors = [];
    received = new Map();
    latency = new Samples();
    successAt.fill(Number.NaN);
    process.send!(report);
  });
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  process.send!({ type: 'ready', host: HOST, ports });
}

main(Number(process.argv[2] ?? 1000)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
