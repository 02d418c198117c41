// esbuild settings for dist/pktgen.mjs: one ESM file holding the CLI and its dependencies.
// Used by scripts/build.mjs; bin/run.js and the single executable both run this file.
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

/** Bundles `entry` (src/cli.ts) into `outfile`; throws with esbuild's messages on any error. */
export async function bundleCli({ entry, outfile }) {
  await build({
    alias: BUNDLE_ALIAS,
    banner: { js: BANNER },
    bundle: true,
    entryPoints: [entry],
    // oclif reaches for typescript only when it runs a plugin from .ts sources, never in a release.
    external: ['typescript'],
    format: 'esm',
    legalComments: 'none',
    logLevel: 'warning',
    outfile,
    platform: 'node',
    plugins: [stubReactDevtools],
    target: 'node24',
  });
}
