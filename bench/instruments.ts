/**
 * What bench/scheduler-phase.ts watches a scheduler with, from the outside of its code: a store that
 * counts its transactions, a logger that counts (and, for the human run, formats) its lines, and a
 * latency probe on the sockets it opens and accepts (legacy connections or sessions).
 */
import { subscribe } from 'node:diagnostics_channel';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createLogger, type Logger } from '../src/log.js';
import { SqliteStore } from '../src/store/index.js';
import { Samples } from './stats.js';
import { checkWireLite, readJob, readSessionFrame, readStatus } from './wire-lite.js';

export interface LogCounts { info: number; warn: number; error: number; samples: string[] }

/** GC pauses of one kind: how many, how many took over 5 ms, the longest. */
export interface PauseCounts { count: number; over5Ms: number; maxMs: number }
/** GC pauses while the scheduler ran: young-generation (scavenges) and full (mark-compact) ones. */
export interface GcCounts { young: PauseCounts; full: PauseCounts; totalS: number }

/** Counts the GC pauses from now until stop(): the usual cause of a stall that is not the store's. */
export function gcPauses(): { stop: () => GcCounts } {
  const counts: GcCounts = { young: { count: 0, over5Ms: 0, maxMs: 0 }, full: { count: 0, over5Ms: 0, maxMs: 0 }, totalS: 0 };
  const add = (entries: PerformanceEntry[]) => {
    for (const entry of entries as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      const kind = entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? counts.young : counts.full;
      kind.count += 1;
      if (entry.duration > 5) kind.over5Ms += 1;
      kind.maxMs = Math.max(kind.maxMs, entry.duration);
      counts.totalS += entry.duration / 1000;
    }
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      // Entries reach the callback asynchronously: count the ones still queued, then stop.
      add(observer.takeRecords());
      observer.disconnect();
      return counts;
    },
  };
}

/** Read and write system calls (of files and sockets alike) this process made so far; zeros where /proc is missing. */
export interface Syscalls { reads: number; writes: number }

export function syscalls(): Syscalls {
  if (!existsSync('/proc/self/io')) return { reads: 0, writes: 0 };
  const io = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
  return { reads: field('syscr'), writes: field('syscw') };
}

/** The system calls made since `before`. */
export const syscallsSince = (before: Syscalls): Syscalls => {
  const now = syscalls();
  return { reads: now.reads - before.reads, writes: now.writes - before.writes };
};

/** How often the service wrote to the store, how much, and for how long. */
export interface StoreCounts { applies: number; records: number; seconds: number; slow: number; maxMs: number }

/** The SQLite store, counting apply() calls and the time they take. */
export function countingStore(path: string): { store: SqliteStore; counts: StoreCounts } {
  const store = SqliteStore.open(path);
  const counts: StoreCounts = { applies: 0, records: 0, seconds: 0, slow: 0, maxMs: 0 };
  const apply = store.apply.bind(store);
  store.apply = (changes) => {
    const start = performance.now();
    apply(changes);
    const tookMs = performance.now() - start;
    counts.seconds += tookMs / 1000;
    counts.maxMs = Math.max(counts.maxMs, tookMs);
    // A commit that also copies the WAL back (a checkpoint) shows up as a slow apply.
    if (tookMs > 5) counts.slow += 1;
    counts.applies += 1;
    counts.records += (changes.jobs?.length ?? 0) + (changes.nodes?.length ?? 0);
  };
  return { store, counts };
}

/** A logger that keeps counts and the first few warnings, and, for 'human', formats every line to a file. */
export function benchLogger(kind: 'discard' | 'human', stateDir: string): { log: Logger; counts: LogCounts; bytes: () => number; close: () => void } {
  const counts: LogCounts = { info: 0, warn: 0, error: 0, samples: [] };
  let bytes = 0;
  const fd = kind === 'human' ? openSync(join(stateDir, 'scheduler.log'), 'w') : -1;
  // Synchronous writes to a file: what process.stderr does when stderr is redirected to a file.
  const human = createLogger({ write: (line) => (bytes += writeSync(fd, line)) });
  const level = (name: 'info' | 'warn' | 'error') => (message: string) => {
    counts[name] += 1;
    if (name !== 'info' && counts.samples.length < 5) counts.samples.push(`${name}: ${message}`);
    if (kind === 'human') human[name](message);
  };
  return {
    log: { debug: () => undefined, info: level('info'), warn: level('warn'), error: level('error') },
    counts, bytes: () => bytes, close: () => fd >= 0 && closeSync(fd),
  };
}

/**
 * Status-to-next-job latency, from inside the scheduler process and without touching its code:
 * diagnostics_channel hands over every socket it accepts and opens. From the moment the chunk holding
 * a node's final status is read off its socket to the moment the next job for that node is written
 * to its socket (write() called). Subscribe before the scheduler opens its first session; `nodeOf`
 * is set once the service exists.
 */
export class LatencyProbe {
  samples = new Samples();
  /** The node a job belongs to. */
  nodeOf: (jobId: string) => string | undefined = () => undefined;
  // Per node, NaN once used: deleting would churn the map's tables, and V8 keeps discarded tables
  // (with what they point to) alive until a full GC; that is the probe's cost, not the scheduler's.
  private readonly finishedAt = new Map<string, number>();

  constructor(wire: 'legacy' | 'session') {
    checkWireLite();
    if (wire === 'legacy') this.legacy();
    else this.session();
  }

  /** Drops the samples so far (after a warm-up). */
  reset(): void {
    this.samples = new Samples();
  }

  private finished(jobId: string, now: number): void {
    const node = this.nodeOf(jobId);
    if (node !== undefined) this.finishedAt.set(node, now);
  }

  private jobWritten(jobId: string, now: number): void {
    const node = this.nodeOf(jobId);
    const since = node === undefined ? undefined : this.finishedAt.get(node);
    if (since === undefined || Number.isNaN(since)) return;
    this.samples.add(now - since);
    this.finishedAt.set(node!, Number.NaN);
  }

  /** Statuses come on connections of their own, each job goes out on a connection of its own. */
  private legacy(): void {
    subscribe('net.server.socket', (message) => {
      const socket = (message as { socket: Socket }).socket;
      socket.prependOnceListener('data', (chunk: Buffer) => {
        const now = performance.now();
        if (chunk.length < 4 || chunk.length < 4 + chunk.readUInt32BE(0)) return;
        const status = readStatus(chunk.subarray(4, 4 + chunk.readUInt32BE(0)));
        if (status.type === 0 || status.type === 1) this.finished(status.jobId, now);
      });
    });
    subscribe('net.client.socket', (message) => {
      const socket = (message as { socket: Socket }).socket;
      const probe = this;
      // connect() resets an own write(), so wrap it once connected, before the sender's callback writes.
      socket.prependOnceListener('connect', () => {
        const write = socket.write;
        socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
          const now = performance.now();
          const frame = args[0] as Buffer;
          // The node from the job in the frame: asking the socket (getpeername) would cost a syscall.
          if (frame.length > 4) probe.jobWritten(readJob(frame.subarray(4)).id, now);
          socket.write = write;
          return write.apply(this, args);
        } as Socket['write'];
      });
    });
  }

  /** One session per node, opened by the scheduler: statuses come in on it, jobs go out on it. */
  private session(): void {
    subscribe('net.client.socket', (message) => {
      const socket = (message as { socket: Socket }).socket;
      const probe = this;
      const frames = new FrameWalker();
      socket.prependListener('data', (chunk: Buffer) => {
        const now = performance.now();
        for (let frame = frames.first(chunk); frame; frame = frames.next()) {
          // The first frame is the handshake's welcome, not a session frame.
          if (frames.count === 1) continue;
          const status = readSessionFrame(frame).status;
          if (status && (status.type === 0 || status.type === 1)) probe.finished(status.jobId, now);
        }
      });
      // Every write after connecting is one whole frame (the handshake's proof reads as no job).
      socket.prependOnceListener('connect', () => {
        const write = socket.write;
        socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
          const now = performance.now();
          const jobId = readSessionFrame((args[0] as Buffer).subarray(4)).jobId;
          if (jobId !== undefined) probe.jobWritten(jobId, now);
          return write.apply(this, args);
        } as Socket['write'];
      });
    });
  }
}

/**
 * Length-prefixed frames out of a stream's chunks, as views into them (no copy but of a frame split
 * across chunks): first(chunk) gives the chunk's first whole frame, next() the following ones.
 */
class FrameWalker {
  /** Frames seen so far. */
  count = 0;
  private bytes: Buffer = Buffer.alloc(0);
  private at = 0;

  first(chunk: Buffer): Buffer | undefined {
    const rest = this.bytes.subarray(this.at);
    this.bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.at = 0;
    return this.next();
  }

  next(): Buffer | undefined {
    if (this.bytes.length - this.at < 4) return undefined;
    const end = this.at + 4 + this.bytes.readUInt32BE(this.at);
    if (end > this.bytes.length) return undefined;
    const frame = this.bytes.subarray(this.at + 4, end);
    this.at = end;
    this.count += 1;
    return frame;
  }
}
