// npm run demo: a node agent and a scheduler on loopback run examples/jobs.json and print the results.
// Traffic goes only to 127.0.0.1; both processes are stopped at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pktgen = join(root, 'dist', 'pktgen');
const state = mkdtempSync(join(tmpdir(), 'pktgen-demo-'));

function start(args, label) {
  const child = spawn(pktgen, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.output = () => out;
  child.stderr.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) process.stderr.write(`[${label}] ${line}\n`);
  });
  return child;
}

// Traffic goes to the node's own reflector (port 1730), so loss and RTT are measured too.
const node = start(['serve', '--host', '127.0.0.1', '--name', 'm0', '--target', '127.0.0.1:1730'], 'node m0');
await new Promise((resolve, reject) => {
  node.stderr.on('data', (chunk) => chunk.toString().includes('listening on') && resolve());
  node.once('exit', (code) => reject(new Error(`pktgen serve exited early (code ${code}): is port 1729 in use?`)));
});
const scheduler = start(['schedule', '-n', join(root, 'examples/nodes.json'), '-j', join(root, 'examples/jobs.json'),
  '--host', '127.0.0.1', '--state-dir', state, '--fresh', '--exit-when-done'], 'scheduler');
const code = await new Promise((resolve) => scheduler.once('exit', (c) => resolve(c ?? 1)));
node.kill('SIGTERM');
await new Promise((resolve) => node.once('exit', resolve));
process.stdout.write(`\nResults (examples/jobs.json on node m0, traffic to its reflector at 127.0.0.1:1730):\n${scheduler.output()}`);
rmSync(state, { recursive: true, force: true });
process.exit(code);
