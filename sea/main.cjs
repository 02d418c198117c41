// Entry point of the single executable dist/pktgen (scripts/build-sea.mjs embeds it).
// Node 24 runs only CommonJS as a SEA main, but the CLI must be ESM (ink and yoga-layout use
// top-level await). So the ESM bundle travels as the asset `pktgen.mjs`, with its chunks as the
// assets `pktgen-*.mjs` (scripts/build-bundle.mjs): these hooks serve each from memory under a file
// URL beside the executable, then import() runs the entry; a chunk is served when the entry first
// imports it. Nothing is read from those paths on disk. oclif imports the chunk holding src/cli.ts
// again, by its file URL, for the commands and hooks (src/cli.ts loadOptions): a running module.
'use strict';
const { registerHooks } = require('node:module');
const { dirname, join } = require('node:path');
const { getAsset } = require('node:sea');
const { pathToFileURL } = require('node:url');

const BUNDLE_ASSET = 'pktgen.mjs';
// File: URLs, so the bundle's createRequire(import.meta.url) and __dirname have a real folder.
const folderUrl = pathToFileURL(join(dirname(process.execPath), '/')).href;
const bundleUrl = new URL(BUNDLE_ASSET, folderUrl).href;

/** The asset a URL names: the entry or one of its chunks beside the executable; else undefined. */
function assetOf(url) {
  if (!url.startsWith(folderUrl)) return undefined;
  const name = url.slice(folderUrl.length);
  return name === BUNDLE_ASSET || /^pktgen-[\w.-]+\.mjs$/.test(name) ? name : undefined;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    // The entry and oclif's import of the commands by file URL; chunks by the relative specifiers
    // the bundle imports them with.
    const url = specifier.startsWith('file:') ? specifier : context.parentURL && /^\.\.?\//.test(specifier) ? new URL(specifier, context.parentURL).href : '';
    if (!assetOf(url)) return nextResolve(specifier, context);
    return { format: 'module', shortCircuit: true, url };
  },
  load(url, context, nextLoad) {
    const name = assetOf(url);
    if (!name) return nextLoad(url, context);
    return { format: 'module', shortCircuit: true, source: getAsset(name, 'utf8') };
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
