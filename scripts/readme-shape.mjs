// npm run readme:shape: writes README's examples of the JSON and CSV shape from real output. It runs the
// README's example job (the block after <!-- json-shape:command -->) on the built dist/pktgen: a node with
// its own reflector and a scheduler on free loopback ports, a key made for the run; then replaces the
// blocks after <!-- json-shape:node -->, <!-- json-shape:job --> and <!-- json-shape:csv-header -->.
// Every wait is bounded; both processes are stopped (by their handles) and the temp folder removed.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const pktgen = join(root, 'dist', 'pktgen');
const block = (name) => new RegExp(`(<!-- json-shape:${name} -->\\s*\`\`\`\\w*\\n)([\\s\\S]*?)(\\n\`\`\`)`);

let readme = readFileSync(readmePath, 'utf8');
const command = block('command').exec(readme)?.[2].trim();
if (!command?.startsWith('pktgen submit ')) throw new Error('README.md: no `pktgen submit ...` block after <!-- json-shape:command -->');
const jobArgs = command.split(/\s+/).slice(1); // submit ...

const dir = mkdtempSync(join(tmpdir(), 'pktgen-readme-shape-'));
const env = { ...process.env, PKTGEN_KEY_FILE: join(dir, 'cluster.key'), PKTGEN_STATE_DIR: dir, PKTGEN_CACHE_DIR: join(dir, 'cache') };
const children = [];

/** A TCP port free on 127.0.0.1 now (the kernel's pick). */
const freePort = () => new Promise((resolve, reject) => {
  const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

/** Starts `pktgen ARGS` and resolves once its stderr matches `ready` (within 15 s). */
function start(args, ready) {
  const child = spawn(pktgen, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pktgen ${args[0]} not ready within 15 s:\n${log}`)), 15_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`pktgen ${args[0]} exited (code ${code}):\n${log}`)));
  });
}

/** `pktgen ARGS` against the scheduler, its stdout; exit 1 is fine for submit (an expectation missed: same shape). */
function cli(args, control) {
  const result = spawnSync(pktgen, [...args, '--scheduler', control], { env, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0 && !(args[0] === 'submit' && result.status === 1)) throw new Error(`pktgen ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  return result.stdout;
}

try {
  if (spawnSync(pktgen, ['keygen', '--out', env.PKTGEN_KEY_FILE], { env, stdio: 'ignore' }).status !== 0) throw new Error(`${pktgen} keygen failed: run npm run build first`);
  const [port, reflect, statusPort, controlPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  await start(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', 'm0', '--scheduler-port', String(statusPort), '--reflect-port', String(reflect)], /listening on/);
  writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port, reflector: `127.0.0.1:${reflect}` }] }));
  await start(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(statusPort), '--control-port', String(controlPort),
    '--state-dir', join(dir, 'state')], /pktgen scheduler listening on/);
  const control = `127.0.0.1:${controlPort}`;
  cli([...jobArgs, '--json'], control);
  const status = JSON.parse(cli(['status', '--json'], control));
  const header = cli(['status', '--csv'], control).split('\n')[0];
  for (const [name, text] of [['node', JSON.stringify(status.nodes[0], null, 2)], ['job', JSON.stringify(status.jobs[0], null, 2)], ['csv-header', header]]) {
    if (!block(name).test(readme)) throw new Error(`README.md: no block after <!-- json-shape:${name} -->`);
    readme = readme.replace(block(name), (_, open, __, close) => `${open}${text}${close}`);
  }
  writeFileSync(readmePath, readme);
  process.stdout.write(`README.md: the node, job and CSV header examples written from: ${command}\n`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
}
