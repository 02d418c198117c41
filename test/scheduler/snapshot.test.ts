import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import type { JobRecord } from '../../src/scheduler/types.js';
import { FINAL_STATES, JOB_STATES, type Snapshot } from '../../src/protocol/view.js';
import { jobInfo, takeSnapshot, type JobQuery } from '../../src/scheduler/snapshot.js';
import type { NewJob, SchedulerEvent } from '../../src/scheduler/core.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';

const data = { m: 10, t: 2, w: 1, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const job = (id: string, node: string, priority: number, retries = 0): NewJob => ({ id, node, priority, data, target: '', timeoutS: 5, retries });

/** What takeSnapshot answered before it read an index: a scan of every job, per query. */
function scanned(service: SchedulerService, query: JobQuery, now: number): Snapshot {
  const counts = new Map<string, { done: number; failed: number; cancelled: number }>();
  const ids = query.ids && query.ids.length > 0 ? new Set(query.ids) : undefined;
  const matching: JobRecord[] = [];
  for (const j of service.core.state.jobs.values()) {
    const count = counts.get(j.node) ?? { done: 0, failed: 0, cancelled: 0 };
    if (j.state === 'succeeded') count.done += 1;
    // Cancelled on request is its own count, never a failure.
    else if (j.state === 'cancelled') count.cancelled += 1;
    else if (FINAL_STATES.includes(j.state)) count.failed += 1;
    counts.set(j.node, count);
    if (ids && !ids.has(j.id)) continue;
    if (query.node && j.node !== query.node) continue;
    if (query.states?.length && !query.states.includes(j.state)) continue;
    matching.push(j);
  }
  matching.sort((a, b) => a.seq - b.seq);
  const limited = query.limit ? matching.slice(-query.limit) : matching;
  // Only done, failed and cancelled were counted by the scan; a node's other fields are read as before.
  const nodes = takeSnapshot(service, { ids: ['none'] }, now).nodes.map((node) => ({
    ...node, done: counts.get(node.name)?.done ?? 0, failed: counts.get(node.name)?.failed ?? 0, cancelled: counts.get(node.name)?.cancelled ?? 0,
  }));
  return { nodes, jobs: limited.map(jobInfo), jobs_total: matching.length };
}

describe('takeSnapshot reads the core index and answers as a scan of every job would', () => {
  const now = 50_000;
  let service: SchedulerService;

  before(() => {
    service = new SchedulerService({
      listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }),
      core: { keepJobs: 12 },
    });
    let t = 0;
    const step = (event: Record<string, unknown> & { type: SchedulerEvent['type'] }) => service.core.handle({ ...event, now: (t += 10) } as SchedulerEvent);
    for (const name of ['m0', 'm1', 'm2']) step({ type: 'nodeAdded', node: { name, host: '127.0.0.1', port: 1729 } });
    step({ type: 'pauseChanged', node: 'm2', paused: true });
    const jobs: NewJob[] = [];
    for (let i = 0; i < 30; i++) jobs.push(job(`j${i}`, `m${i % 3}`, (i * 7) % 4, i % 5 === 0 ? 1 : 0));
    step({ type: 'jobsAdded', jobs });
    // Run m0's and m1's queues with every kind of ending: success, failure (some retried), loss, cancel.
    for (let round = 0; round < 8; round++) {
      for (const node of ['m0', 'm1']) {
        const current = service.core.currentJob(node);
        if (!current) continue;
        const ending = (round + Number(node === 'm1')) % 4;
        step({ type: 'statusReceived', jobId: current.id, candidates: [], status: 'STARTED', reason: '' });
        if (ending === 0) step({ type: 'statusReceived', jobId: current.id, candidates: [], status: 'SUCCESS', reason: '' });
        if (ending === 1) step({ type: 'statusReceived', jobId: current.id, candidates: [], status: 'FAIL', reason: 'boom' });
        if (ending === 2) step({ type: 'cancelRequested', jobId: current.id });
        if (ending === 2) step({ type: 'statusReceived', jobId: current.id, candidates: [], status: 'FAIL', reason: 'cancelled' });
        if (ending === 3) {
          t += 9000;
          step({ type: 'ticked' });
        }
      }
    }
    step({ type: 'cancelRequested', jobId: 'j5' });
    step({ type: 'statusReceived', jobId: service.core.currentJob('m1')!.id, candidates: [], status: 'STARTED', reason: '' });
  });

  it('holds jobs in every state, some finished jobs removed', () => {
    const states = new Set([...service.core.state.jobs.values()].map((j) => j.state));
    assert.deepEqual([...states].sort(), [...JOB_STATES].sort());
    assert.ok(service.core.state.jobs.size < 30, `${service.core.state.jobs.size} jobs held: retention removed none`);
  });

  const queries: JobQuery[] = [{}, { ids: [] }, { limit: 1 }, { limit: 5 }, { limit: 500 }, { node: 'zz' }, { states: ['failed', 'lost', 'cancelled'], limit: 3 }, { node: 'm1', states: ['pending', 'running'] }];
  for (const node of ['', 'm0', 'm1', 'm2']) {
    for (const states of [[], ...JOB_STATES.map((state) => [state])]) {
      for (const limit of [0, 2]) queries.push({ node, states, limit });
    }
  }
  queries.push({ ids: ['j1', 'j2', 'j29', 'j0', 'nope', 'j1'] }, { ids: ['j1', 'j2', 'j29', 'j0'], limit: 2 }, { ids: ['j2', 'j29'], node: 'm2' }, { ids: ['j0', 'j5', 'j12'], states: ['cancelled'] });

  it(`matches the scan for ${queries.length} queries: ids, node, state, limit`, () => {
    for (const query of queries) assert.deepEqual(takeSnapshot(service, query, now), scanned(service, query, now), JSON.stringify(query));
  });
});
