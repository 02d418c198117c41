/**
 * Simulated nodes for bench/scheduler.ts, run as a forked child so the scheduler's event loop is
 * not shared with them: N loopback listeners that answer every job at once with STARTED, then
 * (once STARTED's connection has closed, as a real node's ordered outbox does) SUCCESS, to the
 * job's reply address (":PORT" = the job connection's source host). Zero-length jobs.
 *
 * Latency is measured here, on one clock: from the moment a node's SUCCESS frame is handed to the
 * kernel to the moment that node's next job frame has arrived in full.
 *
 * IPC: sends {type: 'ready', ports}; takes {type: 'mode', silent, holdMs} (silent: never answer;
 * holdMs: SUCCESS 0.5..1.5 times that long after STARTED, a job's duration), {type: 'report'} (answers with
 * a SimReport and clears the samples) and {type: 'stop'}. Exits when the parent goes away.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
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
  /** CPU seconds the simulator used since the last report. */
  cpuS: number;
}

export type SimCommand = { type: 'mode'; silent: boolean; holdMs: number } | { type: 'report' } | { type: 'stop' };

let silent = false;
let holdMs = 0;
let jobs = 0;
let statusRetries = 0;
let statusFailures = 0;
let latency = new Samples();
let cpu = process.cpuUsage();
/** Per node: when its last SUCCESS was written (ms, performance.now()), or NaN. */
let successAt: Float64Array;
let names: string[];

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

function jobArrived(index: number, payload: Buffer, peer: Socket): void {
  const now = performance.now();
  jobs += 1;
  if (!Number.isNaN(successAt[index]!)) latency.add(now - successAt[index]!);
  successAt[index] = Number.NaN;
  if (silent) return;
  const job = readJob(payload);
  const host = peer.remoteAddress!.replace(/^::ffff:/, '');
  const port = Number(job.replyTo.slice(1));
  const success = () => sendStatus(host, port, statusFrame('SUCCESS', job.id, names[index]!), () => (successAt[index] = performance.now()), () => undefined);
  sendStatus(host, port, statusFrame('STARTED', job.id, names[index]!), () => undefined, () =>
    // Spread over 0.5..1.5 x holdMs, so the nodes do not all report in the same millisecond.
    (holdMs > 0 ? setTimeout(success, holdMs * (0.5 + Math.random())) : success()));
}

/** One node: reads one length-prefixed frame per connection; the scheduler closes its side. */
function listen(index: number): Promise<Server> {
  const server = createServer((socket) => {
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readUInt32BE(0)) return;
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

async function main(count: number): Promise<void> {
  checkWireLite();
  successAt = new Float64Array(count).fill(Number.NaN);
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
    if (command.type === 'mode') {
      ({ silent, holdMs } = command);
      return process.send!({ type: 'mode', silent, holdMs });
    }
    const used = process.cpuUsage(cpu);
    const report: SimReport = { type: 'report', jobs, latencyMs: latency.summary(), statusRetries, statusFailures, cpuS: (used.user + used.system) / 1e6 };
    cpu = process.cpuUsage();
    jobs = statusRetries = statusFailures = 0;
    latency = new Samples();
    successAt.fill(Number.NaN);
    process.send!(report);
  });
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  process.send!({ type: 'ready', host: HOST, ports });
}

void main(Number(process.argv[2] ?? 1000));
