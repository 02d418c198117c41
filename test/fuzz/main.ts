import { parseArgs } from 'node:util';
import { fuzz } from './fuzz.js';
import { TARGETS } from './targets/index.js';
import type { TargetResult } from './run-target.js';

/**
 * `npm run fuzz [-- --inputs N] [--seed S] [--target NAME ...] [--path P]`: runs every fuzz target
 * (test/fuzz/targets) for N inputs in all (default 1,000,000), prints inputs, failures and time per
 * target, and exits 1 on any failure after printing how to replay it.
 */
const USAGE = `usage: npm run fuzz -- [--inputs N] [--seed S] [--target NAME]... [--path P] [--list]`;

function options() {
  const { values } = parseArgs({
    options: {
      inputs: { type: 'string', default: '1000000' },
      seed: { type: 'string' },
      target: { type: 'string', multiple: true },
      path: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const inputs = Number(values.inputs);
  const seed = values.seed === undefined ? (Math.random() * 2 ** 31) | 0 : Number(values.seed);
  if (!Number.isSafeInteger(inputs) || inputs < 1) throw new Error(`--inputs = ${values.inputs}: expected a positive integer`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed = ${values.seed}: expected an integer`);
  if (values.path !== undefined && (values.target?.length !== 1 || values.seed === undefined)) throw new Error('--path replays one failure: give its --target and --seed too');
  const unknown = (values.target ?? []).filter((name) => !TARGETS.some((t) => t.name === name));
  if (unknown.length > 0) throw new Error(`--target ${unknown.join(', ')}: expected one of ${TARGETS.map((t) => t.name).join(', ')}`);
  return { ...values, inputs, seed };
}

const pad = (text: string | number, width: number): string => String(text).padStart(width);
const line = (r: TargetResult): string =>
  `${r.name.padEnd(18)} ${pad(r.inputs.toLocaleString('en-US'), 11)} ${pad(r.failures, 8)} ${pad((r.ms / 1000).toFixed(1), 8)} ${pad(Math.round(r.inputs / (r.ms / 1000 || 1)).toLocaleString('en-US'), 10)}`;

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>;
  try {
    opts = options();
  } catch (error) {
    console.error(`fuzz: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help || opts.list) {
    console.log(opts.help ? USAGE : TARGETS.map((t) => t.name).join('\n'));
    return 0;
  }
  if (opts.path !== undefined) console.log(`replaying ${opts.target![0]} with seed ${opts.seed}, path ${opts.path}`);
  else console.log(`fuzzing ${opts.target?.length ?? TARGETS.length} targets, ${opts.inputs.toLocaleString('en-US')} inputs in all, seed ${opts.seed}`);
  console.log(`${'target'.padEnd(18)} ${pad('inputs', 11)} ${pad('failures', 8)} ${pad('time s', 8)} ${pad('inputs/s', 10)}`);
  const started = performance.now();
  const results = await fuzz({
    inputs: opts.inputs, seed: opts.seed, targets: opts.target, path: opts.path,
    onResult: (r) => console.log(line(r)),
    onReplay: (text) => console.log(`replaying: ${text}`),
  });
  const total: TargetResult = { name: 'total', inputs: 0, failures: 0, ms: performance.now() - started };
  for (const r of results) {
    total.inputs += r.inputs;
    total.failures += r.failures;
  }
  console.log(line(total));
  for (const r of results) {
    if (!r.failure) continue;
    const { seed, path, error, input, shrinks } = r.failure;
    console.log(`\nFAIL ${r.name} (seed ${seed}, path ${path ?? '-'}, ${shrinks} shrinks)\n  input: ${input}\n  error: ${error.replace(/\n/g, '\n    ')}`);
    console.log(`  replay: npm run fuzz -- --target ${r.name} --seed=${seed}${path ? ` --path ${path}` : ''}`);
  }
  return total.failures > 0 ? 1 : 0;
}

process.exitCode = await main();
