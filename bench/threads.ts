/**
 * Sending threads side by side: the same unpaced job of 64-byte frames with 1 thread and with 2
 * (`pktgen-emit send --threads`), the runs alternating within each round, median of --runs.
 * Loopback only: the traffic goes to a UDP socket on 127.0.0.1 that a child process holds without
 * reading it (its event loop blocked), so the kernel drops the datagrams at that socket and no
 * receiver competes with the senders for the CPUs. Every run is bounded in time (--duration, and
 * a timeout) and in packets (--max-packets); the sink holder ends by its PID, and on its own after
 * at most 120 s.
 *
 *   npm run bench:threads -- [--runs 3] [--duration 3]
 *
 * Prints per send path (UDP with GSO, plain UDP) the Mpps of 1 and of 2 threads (as the sender
 * counts them: datagrams the kernel took), the 2/1 ratio, and how many of them reached the sink's
 * socket (dropped there, by /proc/net/udp), as a check that the traffic went where it should.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '3' }, duration: { type: 'string', default: '3' } } });
const RUNS = Number(flags.runs);
const DURATION_S = Number(flags.duration);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 20) throw new Error(`--runs ${flags.runs}: expected 1..20`);
if (!(DURATION_S >= 1 && DURATION_S <= 30)) throw new Error(`--duration ${flags.duration}: expected 1..30 seconds`);
/** Far above what loopback carries in DURATION_S (about 4 Mpps here): a bound, not a goal. */
const MAX_PACKETS = Math.round(DURATION_S * 20e6);

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const NATIVE = fileURLToPath(new URL('../native', import.meta.url));
const EMIT = `${NATIVE}/build/pktgen-emit`;

const PATHS = [
  { name: 'UDP + GSO, 64 B, 2 flows', args: ['--flows', '2', '--size', '64'] },
  { name: 'UDP, 64 B, 2 flows', args: ['--flows', '2', '--size', '64', '--no-gso'] },
];
const THREADS = [1, 2] as const;

/** Rejects after ms: every wait of this script goes through it. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Datagrams the kernel dropped at the UDP socket on 127.0.0.1:port (a full receive buffer). */
function socketDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === local);
  return line ? Number(line.trim().split(/\s+/).at(-1)) : 0;
}

/** A UDP socket on 127.0.0.1 held by a child that never reads it: it prints the port, then blocks. */
async function startSink(): Promise<{ port: number; stop: () => Promise<void> }> {
  const code = `const s = require('node:dgram').createSocket('udp4');
s.bind(0, '127.0.0.1', () => {
  require('node:fs').writeSync(1, s.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
  process.exit(0);
});`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    process.off('exit', kill);
    resolve();
  }));
  const port = await bounded(new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    void exited.then(() => reject(new Error('the sink exited before it said its port')));
  }), 10_000, 'sink start');
  return {
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await bounded(exited, 5_000, 'sink stop');
    },
  };
}

interface Measured { mpps: number; atSink: number; mode: string }

async function run(port: number, args: string[], threads: number): Promise<Measured> {
  const before = socketDrops(port);
  const result = await execa(EMIT, ['send', '--dst', `127.0.0.1:${port}`, '--rate', '0', '--duration', String(DURATION_S),
    '--max-packets', String(MAX_PACKETS), '--threads', String(threads), ...args], { reject: false, timeout: (DURATION_S + 15) * 1000 });
  if (result.exitCode !== 0) throw new Error(`pktgen-emit --threads ${threads} exit ${result.exitCode}: ${result.stderr}`);
  const summary = JSON.parse(result.stdout.split('\n').find((l) => l.includes('"summary"')) ?? '{}') as Record<string, number | string>;
  if (summary.threads !== threads) throw new Error(`asked for ${threads} threads, the summary says ${summary.threads}`);
  const tx = Number(summary.tx_packets) + Number(summary.warmup_tx_packets);
  return { mpps: Number(summary.tx_packets) / Number(summary.duration_s) / 1e6, atSink: (socketDrops(port) - before) / tx, mode: String(summary.mode) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

await execa('make', ['-s', '-C', NATIVE], { timeout: 120_000 });
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${availableParallelism()} available, load ` +
  `${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`unpaced (--rate 0) on loopback, ${DURATION_S} s per run, 1 and 2 sending threads alternating, median of ${RUNS}`);

const results = PATHS.map(() => THREADS.map((): Measured[] => []));
const sink = await startSink();
try {
  for (let round = 0; round < RUNS; round++) {
    for (const [p, path] of PATHS.entries()) {
      // Which thread count goes first alternates: neither always gets the warmer machine.
      const order = round % 2 ? [...THREADS].reverse() : [...THREADS];
      for (const threads of order) {
        const m = await run(sink.port, path.args, threads);
        results[p]![THREADS.indexOf(threads)]!.push(m);
        console.log(`  round ${round + 1} ${path.name}, ${threads} thread(s): ${m.mpps.toFixed(3)} Mpps (${m.mode}), ` +
          `${(m.atSink * 100).toFixed(1)} % reached the sink`);
      }
    }
  }
} finally {
  await sink.stop();
}

const nameWidth = Math.max(...PATHS.map((p) => p.name.length));
console.log(`${'send path'.padEnd(nameWidth)}  1 thread Mpps  2 threads Mpps  2/1 ratio  reached the sink (1 / 2)`);
for (const [p, path] of PATHS.entries()) {
  const [one, two] = results[p]!.map((ms) => ({ mpps: median(ms.map((m) => m.mpps)), atSink: median(ms.map((m) => m.atSink)) }));
  console.log(`${path.name.padEnd(nameWidth)}  ${one!.mpps.toFixed(3).padStart(13)}  ${two!.mpps.toFixed(3).padStart(14)}  ` +
    `${(two!.mpps / one!.mpps).toFixed(2).padStart(9)}  ${(one!.atSink * 100).toFixed(1)} % / ${(two!.atSink * 100).toFixed(1)} %`);
}
