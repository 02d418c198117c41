#!/usr/bin/env node
// Runs the CLI straight from src/ through tsx, for development (no build step).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `pktgen needs Node >= 24, but ${process.execPath} is ${process.version}: ` +
      'run it through npm (npm exec -- bin/dev.js ...) or with node_modules/.bin/node\n',
  );
  process.exit(1);
}
// A promise chain, not top-level await: see bin/run.js.
import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import('../src/main.ts');
  })
  .then(({ main }) => main(process.argv.slice(2)));
