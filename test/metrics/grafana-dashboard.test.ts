import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { schedulerRegistry, SCHEDULER_SERIES } from '../../src/metrics/scheduler-metrics.js';
import { nodeRegistry, NODE_SERIES } from '../../src/metrics/node-metrics.js';

const DASHBOARD = fileURLToPath(new URL('../../examples/grafana-dashboard.json', import.meta.url));

interface Panel { id: number; type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string; refId: string }>; panels?: Panel[] }
interface Dashboard { title: string; uid: string; schemaVersion: number; panels: Panel[]; templating: { list: Array<{ name: string; query: unknown }> } }

/** The sample names a registry exposes: a histogram's _bucket, _sum and _count, a counter or gauge by its name. */
async function exportedNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    // prom-client types `type` as an enum, but getMetricsAsJSON gives the exposition's word ('histogram').
    if ((metric.type as unknown as string) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else names.add(metric.name);
  }
  return names;
}

describe('examples/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = [
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr }))),
    ...dashboard.templating.list.map((v) => ({ where: `variable $${v.name}`, expr: JSON.stringify(v.query) })),
  ];
  const used = (expr: string): string[] => [...expr.matchAll(/\bpktgen_[a-z0-9_]+/g)].map((m) => m[0]);

  it('is a Grafana dashboard: title, uid, schema version, panels with unique ids on a data source variable', () => {
    assert.equal(typeof dashboard.title, 'string');
    assert.match(dashboard.uid, /^[a-zA-Z0-9_-]{1,40}$/);
    assert.ok(dashboard.schemaVersion >= 30);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids repeat');
    assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource'));
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, '${datasource}', `panel "${panel.title}" has no data source`);
      assert.ok((panel.targets ?? []).length > 0, `panel "${panel.title}" queries nothing`);
    }
  });

  it('queries only series the scheduler or a node exports, and shows every pktgen series', async () => {
    const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }) });
    const exported = new Set([
      ...(await exportedNames(schedulerRegistry(service))),
      ...(await exportedNames(nodeRegistry({ totals: { jobs: 0, txPackets: 0, txBytes: 0, rxPackets: 0 }, live: { txPackets: 0, txBytes: 0 }, busy: false }, 'm0'))),
    ]);
    for (const { where, expr } of queries) {
      for (const name of used(expr)) assert.ok(exported.has(name), `${where} queries ${name}, which pktgen does not export`);
    }
    const shown = new Set(queries.flatMap(({ expr }) => used(expr)).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of [...SCHEDULER_SERIES, ...NODE_SERIES]) assert.ok(shown.has(name), `no panel shows ${name}`);
  });
});
