// esbuild settings for dist/pktgen.mjs: the ESM entry of the CLI, and the chunks beside it
// (dist/pktgen-*.mjs) that it imports only when a command runs. Used by scripts/build.mjs;
// bin/run.js and the single executable both run dist/pktgen.mjs.
import { basename, dirname, resolve } from 'node:path';
import { build } from 'esbuild';

// Bundled CommonJS code still reads require/__filename/__dirname: give it real ones.
const BANNER = [
  "import { createRequire as __pktgenCreateRequire } from 'node:module';",
  "import { fileURLToPath as __pktgenFileURLToPath } from 'node:url';",
  "import { dirname as __pktgenDirname } from 'node:path';",
  'const require = __pktgenCreateRequire(import.meta.url);',
  'const __filename = __pktgenFileURLToPath(import.meta.url);',
  'const __dirname = __pktgenDirname(__filename);',
].join('\n');

/** jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow: use its ES modules. */
export const BUNDLE_ALIAS = { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' };

// Ink imports react-devtools-core only when DEV=true; it is not a dependency and has no place in a
// release. The hook fires only if something imports it, so builds without ink are unaffected.
const stubReactDevtools = {
  name: 'stub-react-devtools-core',
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, (args) => ({ namespace: 'pktgen-stub', path: args.path }));
    build.onLoad({ filter: /.*/, namespace: 'pktgen-stub' }, () => ({
      contents: 'export default { initialize() {}, connectToDevTools() {} };',
      loader: 'js',
    }));
  },
};

/** The chunks a bundle may have beside its entry: their names start with this. */
export const CHUNK_PREFIX = 'pktgen-';

/**
 * Bundles `entry` (src/main.ts) into `outfile` and its chunks beside it; resolves with the chunks'
 * paths. Splitting keeps what is imported only when needed out of the entry: oclif and the commands
 * (not needed for --version), and what a command's run() imports (the agent, the scheduler, the
 * store, Ink and React, execa) out of --help too. A 3.6 MB single file took ~80 ms just to compile.
 * Throws with esbuild's messages on any error.
 */
export async function bundleCli({ entry, outfile }) {
  const outdir = dirname(outfile);
  const result = await build({
    alias: BUNDLE_ALIAS,
    // The banner goes on every chunk: each may hold CommonJS code that calls require.
    banner: { js: BANNER },
    bundle: true,
    // Beside the entry (not in a subfolder), so that import.meta.url of any chunk has the entry's folder.
    chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
    entryNames: basename(outfile, '.mjs'),
    entryPoints: [entry],
    // oclif reaches for typescript only when it runs a plugin from .ts sources, never in a release.
    external: ['typescript'],
    format: 'esm',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    outExtension: { '.js': '.mjs' },
    outdir,
    platform: 'node',
    plugins: [stubReactDevtools],
    splitting: true,
    target: 'node24',
  });
  // The metafile names outputs relative to the working folder.
  return Object.keys(result.metafile.outputs).map((file) => resolve(file)).filter((file) => file !== resolve(outfile));
}
