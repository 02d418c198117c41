// Tries the TUI by hand or in tmux against a simulated scheduler: npx tsx test/tui/demo.ts [NODES] [--plain]
import { runTui } from '../../src/tui/run.js';
import { SimulatedBackend } from './simulated-backend.js';

const count = Number(process.argv[2] ?? 3) || 3;
const backend = new SimulatedBackend(Number(process.env.DEMO_SECOND_MS ?? 200));
await backend.addNodes(Array.from({ length: count }, (_, i) => ({ name: `m${i}`, host: '127.0.0.1', port: 1729 + i, reflector: '', legacy: false })));
for (let i = 0; i < count; i++) {
  const jobs = [1, 2, 3].map((k) => ({ nodes: [`m${i}`], data: { m: 10 * k, t: 5 * k, w: 1, s_min: 64 } }));
  await backend.addJobs(jobs.map((job) => ({ json: JSON.stringify(job), where: 'demo', all_nodes: false })));
}
await runTui(backend, { pollMs: 250, interactive: process.argv.includes('--plain') ? false : undefined });
