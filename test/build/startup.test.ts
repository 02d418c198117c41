import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';
import { loadOptions } from '../../src/cli.js';
import { asksVersion, versionLine } from '../../src/main.js';

const dist = new URL('../../dist/', import.meta.url);

/** The bundle's files that `file` imports statically (import ... from "./pktgen-....mjs"), transitively, with it. */
function staticClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(new URL(name, dist), 'utf8');
    // Static imports only: `from "./x.mjs"` or a bare `import "./x.mjs"`, not `import("./x.mjs")`.
    for (const [, chunk] of text.matchAll(/(?:\bfrom\s*|^import\s*)"\.\/(pktgen-[\w.-]+\.mjs)"/gm)) visit(chunk!);
  };
  visit(file);
  return seen;
}

/** The Node built-in modules `files` import statically. */
function builtins(files: Set<string>): Set<string> {
  const text = [...files].map((name) => readFileSync(new URL(name, dist), 'utf8')).join('\n');
  return new Set([...text.matchAll(/(?:\bfrom\s*|^import\s*)"(node:[\w/]+)"/gm)].map(([, name]) => name!));
}

/** The source files bundled into `files` (esbuild marks each with a "// path" line). */
function sources(files: Set<string>): string {
  return [...files].map((name) => (readFileSync(new URL(name, dist), 'utf8').match(/^\/\/ (?:src|node_modules)\/\S+$/gm) ?? []).join('\n')).join('\n');
}

describe('start-up: --version without oclif, --help without the runtime', () => {
  it('prints the line oclif would print for --version and -v, and only when they come first', async () => {
    const config = await Config.load(await loadOptions(new URL('../../src/cli.ts', import.meta.url).href));
    assert.equal(versionLine(), config.userAgent);
    assert.ok(asksVersion(['--version']) && asksVersion(['-v']) && asksVersion(['--version', 'status']));
    assert.ok(!asksVersion([]) && !asksVersion(['status', '--version']) && !asksVersion(['--help']));
  });

  describe('the built bundle', () => {
    before(function () {
      if (!existsSync(new URL('pktgen.mjs', dist))) throw new Error(`${fileURLToPath(dist)}pktgen.mjs is missing: run \`npm run build\` first`);
    });

    it('loads no oclif, no protobufjs, no Ink for --version: the entry and what it imports are a few kB', () => {
      const files = staticClosure('pktgen.mjs');
      const loaded = sources(files);
      for (const heavy of ['node_modules/@oclif/', 'node_modules/protobufjs/', 'node_modules/ink/', 'src/cli.ts']) assert.ok(!loaded.includes(heavy), `${heavy} loads for --version`);
      const bytes = [...files].reduce((sum, name) => sum + readFileSync(new URL(name, dist)).length, 0);
      assert.ok(bytes < 20_000, `--version loads ${bytes} bytes of the bundle`);
    });

    it('loads oclif and the commands for --help, but not protobufjs, Ink, React, execa, the store, the agent or the scheduler', () => {
      const entry = readFileSync(new URL('pktgen.mjs', dist), 'utf8');
      const cliChunk = entry.match(/import\("\.\/(pktgen-cli-[\w-]+\.mjs)"\)/)?.[1];
      assert.ok(cliChunk, 'the entry imports src/cli.ts as a chunk of its own');
      const closure = staticClosure(cliChunk);
      const loaded = sources(closure);
      assert.ok(loaded.includes('node_modules/@oclif/core/') && loaded.includes('src/commands/serve.ts'), 'oclif and the commands are there');
      // Loading node:crypto alone took ~10 ms (the cluster key's modules import it).
      const modules = builtins(closure);
      for (const heavy of ['node:crypto', 'node:sqlite', 'node:dgram', 'node:child_process']) assert.ok(!modules.has(heavy), `${heavy} loads for --help`);
      for (const heavy of ['node_modules/protobufjs/', 'src/protocol/generated/', 'node_modules/ink/', 'node_modules/react/', 'node_modules/execa/', 'src/store/sqlite-store.ts', 'src/agent/agent.ts', 'src/scheduler/service.ts', 'src/tui/']) {
        assert.ok(!loaded.includes(heavy), `${heavy} loads for --help`);
      }
    });
  });
});
