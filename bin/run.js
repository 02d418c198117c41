#!/usr/bin/env node
// Runs the built CLI bundle (dist/pktgen.mjs; `npm run build` makes it) on the pinned Node:
// npm and npx put node_modules/.bin/node first on PATH. dist/pktgen needs no Node at all.
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `pktgen needs Node >= 24, but ${process.execPath} is ${process.version}: ` +
      'run it through npm (npx pktgen ...), with node_modules/.bin/node, or use dist/pktgen\n',
  );
  process.exit(1);
}
// A promise chain, not top-level await: when stdout is a closed pipe (| head) oclif's flush never
// settles, and an unsettled top-level await would turn that into exit code 13 and a warning.
const bundle = new URL('../dist/pktgen.mjs', import.meta.url);
const bundlePath = fileURLToPath(bundle);
import(bundle.href).then(
  ({ main }) => main(process.argv.slice(2)),
  (error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !error.message.includes(bundlePath)) throw error;
    process.stderr.write(`${bundlePath} is missing: run npm run build\n`);
    process.exitCode = 1;
  },
);
