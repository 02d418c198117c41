/**
 * Rate accuracy of pktgen-emit on loopback, no root needed: the runs whose rates the tests used to
 * hold to a few percent, side by side in one run, each the median of --runs rounds (the cases
 * alternate within a round). Traffic goes to 127.0.0.1 only: a receiver of this process, or a
 * `pktgen-emit reflect` bound to 127.0.0.1. Every emitter run, reflector and wait is bounded.
 *
 *   npx tsx bench/emit-rate.ts [--runs 3]
 *
 * Prints, per case, measured / requested rate as the sender reports it (tx_mbps over the measured
 * window) and as the receiver counts it (frame bytes over the whole run, warm-up included, of the
 * datagrams its socket took in: read, or dropped at a full buffer, as /proc/net/udp counts them;
 * through the reflector: the echoes by send time, rx_mbps), the datagrams lost before the socket
 * and those dropped at it, stalls, and the bound a test used to assert.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { sequenceStats, socketDrops, startUdpReceiver } from '../test/helpers/udp-receiver.js';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 20) throw new Error(`--runs ${flags.runs}: expected 1..20`);

// A signal ends the script through exit, whose hooks end the reflector.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const NATIVE = fileURLToPath(new URL('../native', import.meta.url));
const EMIT = `${NATIVE}/build/pktgen-emit`;

interface Case {
  name: string;
  rateMbps: number;
  warmupS: number;
  durationS: number;
  args: string[];
  /** Through a reflector: the receiver-side figure is the sender's rx_mbps (echoes by send time). */
  reflect?: boolean;
  /** The tests that asserted this rate ('' if none), and the bound (fraction of the requested rate). */
  formerly: string;
  bound: number;
}

const CASES: Case[] = [
  { name: '10 Mbit/s, 4 flows, 200-800 B random, 1 s warm-up + 2 s', rateMbps: 10, warmupS: 1, durationS: 2,
    args: ['--flows', '4', '--size', '200-800', '--random-payload'], formerly: 'emitter, serve: 5 %', bound: 0.05 },
  { name: '10 Mbit/s, 500 B, 1 s', rateMbps: 10, warmupS: 0, durationS: 1, args: ['--size', '500'],
    formerly: 'submit-status: 10 %', bound: 0.1 },
  { name: '100 Mbit/s, 1000 B, 3 s', rateMbps: 100, warmupS: 0, durationS: 3, args: ['--size', '1000'],
    formerly: 'emitter: 1 %', bound: 0.01 },
  { name: '500 Mbit/s, 1500 B, 3 s, UDP-GSO', rateMbps: 500, warmupS: 0, durationS: 3, args: ['--size', '1500'],
    formerly: '', bound: 0.01 },
  { name: '500 Mbit/s, 1500 B, 3 s, UDP', rateMbps: 500, warmupS: 0, durationS: 3, args: ['--size', '1500', '--no-gso'],
    formerly: '', bound: 0.01 },
  { name: '4 Mbit/s, 3 flows, 200-800 B, --latency, reflector', rateMbps: 4, warmupS: 1, durationS: 2,
    args: ['--flows', '3', '--size', '200-800', '--latency'], reflect: true, formerly: 'reflect: 5 %, measure: 12.5 %', bound: 0.05 },
];

interface Measured { tx: number; rx: number; lost: number; drops: number; stalls: number; stallMaxMs: number; mode: string }

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

/** A pktgen-emit reflector on 127.0.0.1, port chosen by the kernel. */
async function startReflector(): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(EMIT, ['reflect', '--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // However the script ends (an error, a signal), the reflector is ended by its PID.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    process.off('exit', kill);
    resolve();
  }));
  const port = await bounded(new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /"port":(\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`reflector exited: ${seen}`)));
  }), 5_000, 'reflector start');
  return {
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await bounded(exited, 5_000, 'reflector stop').catch(() => child.kill('SIGKILL'));
    },
  };
}

/** One emitter run to a receiver of its own (or to the reflector). */
async function runCase(c: Case, reflectPort: number): Promise<Measured> {
  const rx = await startUdpReceiver();
  try {
    const runS = c.warmupS + c.durationS;
    const result = await execa(EMIT, ['--dst', c.reflect ? `127.0.0.1:${reflectPort}` : rx.target, '--rate', String(c.rateMbps),
      '--warmup', String(c.warmupS), '--duration', String(c.durationS), ...c.args], { reject: false, timeout: (runS + 10) * 1000 });
    if (result.exitCode !== 0) throw new Error(`${c.name}: pktgen-emit exit ${result.exitCode}: ${result.stderr}`);
    const summary = JSON.parse(result.stdout.split('\n').find((l) => l.includes('"summary"')) ?? '{}') as Record<string, number | string>;
    await bounded(rx.waitForQuiet(200), 10_000, 'receiver quiet');
    const totals = rx.totals();
    // Dropped at our socket (this receiver was too slow), not lost by the sender: counted, at the
    // mean size of the datagrams read (exact for one frame size).
    const drops = c.reflect ? 0 : socketDrops(rx.port);
    const frameBytes = totals.frameBytes + (totals.packets ? (drops * totals.frameBytes) / totals.packets : 0);
    const rxMbps = c.reflect ? Number(summary.rx_mbps) : (frameBytes * 8) / runS / 1e6;
    const lost = c.reflect ? Number(summary.tx_packets) - Number(summary.rx_packets) : sequenceStats(rx.packets).missing - drops;
    return { tx: Number(summary.tx_mbps) / c.rateMbps, rx: rxMbps / c.rateMbps, lost, drops, stalls: Number(summary.stalls),
      stallMaxMs: Number(summary.stall_max_ms), mode: String(summary.mode) };
  } finally {
    await rx.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// execa's timeout ends make (and its cleanup any child left at exit), where a race would only stop waiting.
await execa('make', ['-s', '-C', NATIVE], { timeout: 120_000 });
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ` +
  `${new Date().toISOString().slice(0, 10)}`);
console.log(`rate accuracy on loopback (127.0.0.1), median of ${RUNS}; ratio = measured / requested rate`);

const results = CASES.map((): Measured[] => []);
const reflector = await startReflector();
try {
  for (let round = 0; round < RUNS; round++) {
    for (const [i, c] of CASES.entries()) {
      const m = await runCase(c, reflector.port);
      results[i]!.push(m);
      console.log(`  round ${round + 1} ${c.name}: tx ${m.tx.toFixed(5)} rx ${m.rx.toFixed(5)} lost ${m.lost} ` +
        `dropped ${m.drops} stalls ${m.stalls} (max ${m.stallMaxMs} ms) mode ${m.mode}`);
    }
  }
} finally {
  await reflector.stop();
}

const cell = (x: number, width: number, digits = 0): string => x.toFixed(digits).padStart(width);
const nameWidth = Math.max(...CASES.map((c) => c.name.length));
console.log(`${'case'.padEnd(nameWidth)} ${'sender tx'.padStart(9)} ${'receiver'.padStart(9)} ${'lost'.padStart(5)} ` +
  `${'dropped'.padStart(7)} ${'stalls'.padStart(6)} ${'max ms'.padStart(6)}  goal`);
for (const [i, c] of CASES.entries()) {
  const ms = results[i]!;
  const pick = (f: (m: Measured) => number): number => median(ms.map(f));
  const tx = pick((m) => m.tx);
  const rxRatio = pick((m) => m.rx);
  const met = Math.abs(tx - 1) <= c.bound && Math.abs(rxRatio - 1) <= c.bound;
  console.log(`${c.name.padEnd(nameWidth)} ${cell(tx, 9, 5)} ${cell(rxRatio, 9, 5)} ${cell(pick((m) => m.lost), 5)} ` +
    `${cell(pick((m) => m.drops), 7)} ${cell(pick((m) => m.stalls), 6)} ${cell(pick((m) => m.stallMaxMs), 6, 1)}  ` +
    `within ${c.bound * 100} %: ${met ? 'met' : 'NOT met'}${c.formerly ? ` (was asserted by tests: ${c.formerly})` : ''}`);
}
