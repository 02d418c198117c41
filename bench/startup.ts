/**
 * Start-up time of `pktgen --version` and `pktgen --help` (goal: within 100 ms), side by side with
 * a bare start of the same Node (the floor no CLI can beat) and, with --baseline, another pktgen
 * executable (e.g. one built from an older commit). The programs alternate within each round, so
 * that a busy machine slows them alike; each figure is the median of --runs wall-clock times.
 *
 *   npm run build && npx tsx bench/startup.ts [--runs 20] [--baseline /path/to/old/pktgen]
 *
 * Every run is bounded (10 s); output goes to a pipe and is checked (a --version line, a USAGE
 * section), so a program that fails is reported as failed, not as fast. Where /usr/bin/time exists,
 * each run also reports its CPU time (user + system, 10 ms steps), which a busy machine inflates less
 * than wall-clock time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '20' }, baseline: { type: 'string' } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 3 || RUNS > 200) throw new Error(`--runs ${flags.runs}: expected 3..200`);
const PKTGEN = fileURLToPath(new URL('../dist/pktgen', import.meta.url));
if (!existsSync(PKTGEN)) throw new Error(`${PKTGEN} is missing: run npm run build first`);
if (flags.baseline && !existsSync(flags.baseline)) throw new Error(`--baseline ${flags.baseline}: no such file`);
const RUN_TIMEOUT_MS = 10_000;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const work = mkdtempSync(join(tmpdir(), 'pktgen-startup-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const cpuFile = join(work, 'cpu');

/** One program run: argv, and what its stdout must contain for the run to count. */
interface Case { label: string; file: string; args: string[]; expect: RegExp }

const programs = [{ name: 'dist/pktgen', file: PKTGEN }, ...(flags.baseline ? [{ name: 'baseline', file: flags.baseline }] : [])];
const cases: Case[] = [
  // The Node running this script (npx puts the pinned one first on PATH; dist/pktgen is a copy of it).
  { label: `bare node ${process.version} -e 0`, file: process.execPath, args: ['-e', '0'], expect: /^$/ },
  ...programs.flatMap(({ name, file }) => [
    { label: `${name} --version`, file, args: ['--version'], expect: /^pktgen\/\S+ / },
    { label: `${name} --help`, file, args: ['--help'], expect: /USAGE/ },
  ]),
];

/** Wall-clock and CPU milliseconds of one run (CPU NaN without /usr/bin/time), or a thrown error saying what went wrong. */
function timeRun({ label, file, args, expect }: Case): { ms: number; cpuMs: number } {
  const [command, argv] = TIME ? [TIME, ['-o', cpuFile, '-f', '%U %S', file, ...args]] : [file, args];
  const started = performance.now();
  const result = spawnSync(command, argv, { cwd: tmpdir(), encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  const ms = performance.now() - started;
  if (result.error) throw new Error(`${label}: ${result.error.message}`);
  if (result.status !== 0 || !expect.test(result.stdout)) throw new Error(`${label}: exit ${result.status}, stdout ${JSON.stringify(result.stdout.slice(0, 200))}, stderr ${JSON.stringify(result.stderr.slice(0, 200))}`);
  const cpuMs = TIME ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).reduce((sum, s) => sum + Number(s) * 1000, 0) : NaN;
  return { ms, cpuMs };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

console.log(`start-up, ${RUNS} rounds, programs alternating within each round; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const times = cases.map((): number[] => []);
const cpuTimes = cases.map((): number[] => []);
for (let round = 0; round < RUNS + 1; round += 1) {
  cases.forEach((c, i) => {
    const { ms, cpuMs } = timeRun(c);
    // Round 0 warms the page cache and is not counted.
    if (round === 0) return;
    times[i]!.push(ms);
    cpuTimes[i]!.push(cpuMs);
  });
}
const floor = median(times[0]!);
const width = Math.max(...cases.map((c) => c.label.length));
for (const [i, c] of cases.entries()) {
  const ms = median(times[i]!);
  const sorted = [...times[i]!].sort((a, b) => a - b);
  const spread = `${sorted[Math.floor(RUNS / 4)]!.toFixed(0)}-${sorted[Math.floor((3 * RUNS) / 4)]!.toFixed(0)}`;
  const over = i === 0 ? '' : `  ${(ms - floor).toFixed(1).padStart(6)} ms over bare Node`;
  const cpu = TIME ? `  CPU ${median(cpuTimes[i]!).toFixed(0).padStart(4)} ms` : '';
  console.log(`  ${c.label.padEnd(width)}  median ${ms.toFixed(1).padStart(6)} ms  (quartiles ${spread})${over}${cpu}`);
}
if (flags.baseline) {
  for (const what of ['--version', '--help']) {
    const now = median(times[cases.findIndex((c) => c.label === `dist/pktgen ${what}`)]!);
    const before = median(times[cases.findIndex((c) => c.label === `baseline ${what}`)]!);
    const cpuOf = (label: string): number => median(cpuTimes[cases.findIndex((c) => c.label === label)]!);
    const cpu = TIME ? `, CPU ${(cpuOf(`dist/pktgen ${what}`) / cpuOf(`baseline ${what}`)).toFixed(2)}` : '';
    console.log(`  ${what}: dist/pktgen / baseline = ${(now / before).toFixed(2)} (wall clock)${cpu}`);
  }
}
console.log(`goal: --version and --help within 100 ms: ${['--version', '--help'].map((what) => `${what} ${median(times[cases.findIndex((c) => c.label === `dist/pktgen ${what}`)]!) <= 100 ? 'met' : 'not met'}`).join(', ')} on this run (see the load average)`);
