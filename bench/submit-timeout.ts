// How soon `pktgen submit --wait --timeout 5s` to a node that is down exits (issue 11's goal: exit 3
// within 7 s), measured on the built binary: one scheduler whose node m0 nobody listens on, then RUNS
// submits one after another. Prints each run's seconds and exit code, and whether the goal was met.
// Run: npm run build && npx tsx bench/submit-timeout.ts   (RUNS=5)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../test/helpers/binary.js';

const RUNS = Number(process.env.RUNS ?? 5);
const GOAL_S = 7;

requireBinary();
const dir = mkdtempSync(join(tmpdir(), 'pktgen-bench-timeout-'));
const [statusPort, controlPort, downPort] = [await freePort(), await freePort(), await freePort()];
const schedule = spawnPktgen(['schedule', '--add-node', `m0=127.0.0.1:${downPort}`, '--host', '127.0.0.1', '--port', String(statusPort),
  '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]);
try {
  await waitForOutput(schedule, /node m0 .* is down/);
  const seconds: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const started = process.hrtime.bigint();
    // Bounded: killed after 60 s, which would show as a missing exit code.
    const result = await execa(PKTGEN, ['submit', '--node', 'm0', '--rate', '1', '--duration', '1', '--wait', '--timeout', '5s', '--scheduler', `127.0.0.1:${controlPort}`],
      { reject: false, env: pktgenEnv(), timeout: 60_000 });
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    seconds.push(s);
    console.log(`run ${run}: ${s.toFixed(2)} s, exit code ${result.exitCode ?? 'none (killed)'}${result.exitCode === 3 && /node m0 is down/.test(result.stderr) ? ', names the down node' : ''}`);
  }
  const worst = Math.max(...seconds);
  console.log(`worst ${worst.toFixed(2)} s of ${RUNS}; goal: exit within ${GOAL_S} s: ${worst <= GOAL_S ? 'met' : 'NOT met'}`);
} finally {
  schedule.kill('SIGTERM');
  await schedule;
  rmSync(dir, { recursive: true, force: true });
}
