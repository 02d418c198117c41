// Entry point of the single executable dist/pktgen (scripts/build-sea.mjs embeds it).
// Node 24 runs only CommonJS as a SEA main, but the CLI must be ESM (ink and yoga-layout use
// top-level await). So the ESM bundle travels as the asset `pktgen.mjs`: these hooks serve it from
// memory under a file URL, then import() runs it. Nothing is read from that path on disk. oclif
// imports the same URL again for the commands and hooks (src/cli.ts loadOptions): the running module.
'use strict';
const { registerHooks } = require('node:module');
const { dirname, join } = require('node:path');
const { getAsset } = require('node:sea');
const { pathToFileURL } = require('node:url');

const BUNDLE_ASSET = 'pktgen.mjs';
// A file: URL, so the bundle's createRequire(import.meta.url) and __dirname have a real folder.
const bundleUrl = pathToFileURL(join(dirname(process.execPath), BUNDLE_ASSET)).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier !== bundleUrl) return nextResolve(specifier, context);
    return { format: 'module', shortCircuit: true, url: bundleUrl };
  },
  load(url, context, nextLoad) {
    if (url !== bundleUrl) return nextLoad(url, context);
    return { format: 'module', shortCircuit: true, source: getAsset(BUNDLE_ASSET, 'utf8') };
  },
});

// In a SEA, argv[1] repeats the executable's path; the CLI arguments follow.
import(bundleUrl)
  .then(({ main }) => main(process.argv.slice(2)))
  .catch((error) => {
    console.error(error);
    console.error('pktgen could not start: please report this with the output above.');
    process.exitCode = 1;
  });
