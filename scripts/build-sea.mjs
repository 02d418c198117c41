// Builds the single executable (the Node 24 SEA route): a blob from
// sea-config, a stripped copy of the same Node binary, the blob injected with postject.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'postject';

// Fixed by Node: the fuse postject flips so the binary looks for its blob.
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * V8 flags dist/pktgen runs with; bench/scheduler.ts runs the scheduler with them too.
 * --no-allocation-site-pretenuring: after a burst in which nearly every object survives (the first
 *   job to each of 1,000 nodes), V8 allocates the objects of some sites straight in the old
 *   generation from then on. Short-lived ones that die there keep what they point to (sockets, their
 *   streams and closures) alive through every young GC until a full one: ~10 MB promoted per
 *   scavenge, pauses of 10-25 ms, and 3x the GC time at 5,000 jobs/s.
 * --max-semi-space-size=8: after a burst (a 100k-job file queued) V8 grows its young generation up to
 *   2 x 64 MiB on a 24 GiB machine and keeps it resident; 2 x 8 MiB keeps the RSS with 100k jobs
 *   queued under 200 MB for ~3% of dispatch rate (2 x 16 MiB: ~15 MB more, no measurable rate).
 */
export const SEA_EXEC_ARGV = ['--max-semi-space-size=8', '--no-allocation-site-pretenuring'];

/** Runs a build tool with no terminal (stdin closed); throws if it fails or cannot start. */
export function runTool(file, args, options = {}) {
  try {
    execFileSync(file, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    throw new Error(`${file} is not installed (make and gcc: build-essential; strip: binutils)`, { cause: error });
  }
}

/**
 * Makes `output` from the node binary `nodeBin`, the CommonJS `main` and the `assets`
 * ({key: file}); writes to a temp name first so a failed build leaves no broken executable.
 */
export async function buildSea({ nodeBin, main, assets, output }) {
  const work = await mkdtemp(join(tmpdir(), 'pktgen-sea-'));
  const partial = `${output}.partial`;
  try {
    const blob = join(work, 'sea-prep.blob');
    const config = {
      assets,
      disableExperimentalSEAWarning: true,
      execArgv: SEA_EXEC_ARGV,
      // pktgen is a program, not a Node: a NODE_OPTIONS meant for development (--import tsx,
      // --require of an agent) must not change or break it.
      execArgvExtension: 'none',
      main,
      output: blob,
      useCodeCache: false,
      useSnapshot: false,
    };
    await writeFile(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
    // The blob must come from the very Node binary it is injected into.
    runTool(nodeBin, ['--experimental-sea-config', 'sea-config.json'], { cwd: work });
    await copyFile(nodeBin, partial);
    await chmod(partial, 0o755);
    // Strip before injecting, never after: strip rewrites the ELF file and would lose the blob.
    runTool('strip', [partial]);
    await injectQuietly(partial, await readFile(blob));
    await rename(partial, output);
  } finally {
    await rm(partial, { force: true });
    await rm(work, { force: true, recursive: true });
  }
}

// LIEF (inside postject) warns about the '.note.100' section of every Node ELF binary, harmlessly
// (nodejs/postject#83); postject's wasm module prints through console.warn, so drop just those lines.
async function injectQuietly(executable, blob) {
  const warn = console.warn;
  console.warn = (...args) => {
    if (!/^warning: Can't find string offset for section name '\.note(\.100)?'$/.test(String(args[0]))) warn(...args);
  };
  try {
    await inject(executable, 'NODE_SEA_BLOB', blob, { sentinelFuse: SENTINEL_FUSE });
  } finally {
    console.warn = warn;
  }
}
