// Generates src/protocol/generated/pktgen.json (a protobufjs JSON descriptor) from proto/pktgen.proto.
// The descriptor is what the codecs load, so the single executable carries no .proto file.
// Run: npm run gen:proto. `--check` exits 1 when the committed descriptor is stale.
import protobuf from 'protobufjs';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'src/protocol/generated/pktgen.json');
// keepCase: field names stay as in the legacy contract (s_min, not sMin), matching jobs.json.
const source = readFileSync(join(root, 'proto/pktgen.proto'), 'utf8');
const descriptor = protobuf.parse(source, { keepCase: true }).root.toJSON({ keepComments: false });
const text = JSON.stringify(descriptor, null, 2) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(out, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== text) {
    console.error(`${out} is stale: run npm run gen:proto`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}
