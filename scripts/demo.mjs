// npm run demo: a node agent and a scheduler on loopback run examples/jobs.json and print the results.
// Traffic goes only to 127.0.0.1; both processes are stopped at the end. They share a cluster key
// made for the demo (never ~/.config's), and the demo checks that no log line shows it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pktgen = join(root, 'dist', 'pktgen');
const state = mkdtempSync(join(tmpdir(), 'pktgen-demo-'));
const keyFile = join(state, 'cluster.key');
const keygen = spawnSync(pktgen, ['keygen', '--out', keyFile], { stdio: ['ignore', 'ignore', 'inherit'] });
if (keygen.status !== 0) process.exit(keygen.status ?? 1);
const env = { ...process.env, PKTGEN_KEY_FILE: keyFile };
let logged = '';

function start(args, label) {
  const child = spawn(pktgen, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.output = () => out;
  child.stderr.on('data', (chunk) => {
    logged += chunk;
    for (const line of chunk.toString().split('\n').filter(Boolean)) process.stderr.write(`[${label}] ${line}\n`);
  });
  return child;
}

// Traffic goes to the node's own reflector (port 1730), so loss and RTT are measured too.
const node = start(['serve', '--host', '127.0.0.1', '--name', 'm0', '--target', '127.0.0.1:1730', '--state-dir', state], 'node m0');
await new Promise((resolve, reject) => {
  node.stderr.on('data', (chunk) => chunk.toString().includes('listening on') && resolve());
  node.once('exit', (code) => reject(new Error(`pktgen serve exited early (code ${code}): is port 1729 or 1730 in use?`)));
});
const scheduler = start(['schedule', '-n', join(root, 'examples/nodes.json'), '-j', join(root, 'examples/jobs.json'),
  '--host', '127.0.0.1', '--state-dir', state, '--fresh', '--exit-when-done'], 'scheduler');
const code = await new Promise((resolve) => scheduler.once('exit', (c) => resolve(c ?? 1)));
node.kill('SIGTERM');
await new Promise((resolve) => node.once('exit', resolve));
process.stdout.write(`\nResults (examples/jobs.json on node m0, traffic to its reflector at 127.0.0.1:1730):\n${scheduler.output()}`);
const key = readFileSync(keyFile, 'utf8').trim();
rmSync(state, { recursive: true, force: true });
if ((logged + scheduler.output()).toLowerCase().includes(key.slice(0, 16))) {
  process.stderr.write('demo: the cluster key appears in the output: this is a bug, please report it\n');
  process.exit(1);
}
process.exit(code);
