// npm run readme:commands: rewrites README.md's command reference (between <!-- commands:begin --> and
// <!-- commands:end -->) from the commands' oclif definitions; test/help/reference.test.ts fails on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCliConfig, renderReference, replaceReference } from '../src/help/reference.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(readmePath, 'utf8');
const after = replaceReference(before, renderReference(await loadCliConfig()));
writeFileSync(readmePath, after);
process.stdout.write(after === before ? 'README.md: command reference already up to date\n' : 'README.md: command reference regenerated\n');
