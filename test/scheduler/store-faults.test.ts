import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeAgent } from '../../src/agent/agent.js';
import { handleControl } from '../../src/control/server.js';
import { PktgenError } from '../../src/errors.js';
import { DEFAULT_NODE_LIMITS } from '../../src/input/job.js';
import { createLogger } from '../../src/log.js';
import { emptyRequest, type ControlRequest } from '../../src/protocol/control-messages.js';
import type { Stats } from '../../src/protocol/messages.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { secretFromBytes } from '../../src/session/crypto.js';
import { MemoryStore, type Changes } from '../../src/store/index.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { until } from '../helpers/until.js';

/** A store whose disk can be made full: every write then fails, as SQLite's does, and changes nothing. */
class FillableStore extends MemoryStore {
  full = false;
  readonly saved = new Map<string, string>();
  /** How many times each job was written. */
  readonly writes = new Map<string, number>();
  override apply(changes: Changes): void {
    if (this.full) throw new PktgenError('ERR_STORE', 'cannot save scheduler state to scheduler.db: database or disk is full');
    super.apply(changes);
    for (const job of changes.jobs ?? []) {
      this.saved.set(job.id, job.state);
      this.writes.set(job.id, (this.writes.get(job.id) ?? 0) + 1);
    }
  }
}

const KEY = secretFromBytes(randomBytes(32));
const FAST = { heartbeatMs: 100, silenceMs: 600 };
const data = { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const request = (patch: Partial<ControlRequest>): ControlRequest => ({ ...emptyRequest(), ...patch });
const jobRequest = (timeout = 30) => ({ json: JSON.stringify({ nodes: ['n0'], data, timeout }), where: 'test', all_nodes: false });

describe('scheduler service: a store that cannot save', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  async function scheduler(store: FillableStore, log: string[]): Promise<SchedulerService> {
    const service = new SchedulerService({
      listen: { host: '127.0.0.1', port: 0 }, store, tickMs: 20, sessionSecret: KEY, name: 'sched', sessionTiming: FAST,
      log: createLogger({ write: (line) => log.push(line) }),
    });
    await service.start();
    stops.push(() => service.stop());
    return service;
  }

  it('refuses a submit it cannot save and changes nothing; sent again once the store saves, its jobs are queued once', async () => {
    const store = new FillableStore();
    const service = await scheduler(store, []);
    // Nobody listens there and the node is paused: the jobs stay queued, which is what is looked at.
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port: 1 }]);
    service.setPaused('n0', true);
    store.full = true;
    const refused = await handleControl(service, request({ add_jobs: [jobRequest(), jobRequest()], add_nodes: [{ name: 'n1', host: '127.0.0.1', port: 2, reflector: '', legacy: false }] }));
    assert.equal(refused.error?.code, 'ERR_STORE');
    assert.match(refused.error!.message, /database or disk is full; nothing of this request was applied$/);
    assert.deepEqual(refused.job_ids, []);
    assert.equal(service.core.state.jobs.size, 0, 'no job kept in memory');
    assert.deepEqual([...service.core.state.nodes.keys()], ['n0'], 'no node kept in memory');
    assert.equal((await handleControl(service, request({ cancel: [] , resume_node: 'n0' }))).error?.code, 'ERR_STORE');
    assert.equal(service.core.state.nodes.get('n0')!.paused, true, 'a pause change it could not save is not applied either');
    // A query changes nothing: answered from memory.
    const listed = await handleControl(service, request({ query: true }));
    assert.equal(listed.error, undefined);
    assert.deepEqual(listed.nodes.map((n) => n.name), ['n0']);

    store.full = false;
    const accepted = await handleControl(service, request({ add_jobs: [jobRequest(), jobRequest()] }));
    assert.equal(accepted.error, undefined);
    assert.equal(accepted.job_ids.length, 2);
    assert.deepEqual([...service.core.state.jobs.keys()], accepted.job_ids);
    assert.deepEqual([...store.load().jobs.keys()], accepted.job_ids, 'saved once, nothing of the refused request');
    assert.deepEqual([...store.writes.values()], [1, 1], 'a queued job is written once: its row before the core applies it, not again after');
  });

  it('keeps the statuses and jobs of a full disk in memory, holds their acknowledgements and the clock, and saves them once it can', async () => {
    const store = new FillableStore();
    const log: string[] = [];
    const nodeLog: string[] = [];
    const runs: string[] = [];
    const agent = new NodeAgent({
      name: 'n0', listen: { host: '127.0.0.1', port: 0 }, schedulerPort: 1, defaultTarget: { host: '127.0.0.1', port: 9 },
      allowFrom: new Allowlist(LOOPBACK_CIDRS, '--allow-from'), allowTarget: new Allowlist(LOOPBACK_CIDRS, '--allow-target'),
      limits: DEFAULT_NODE_LIMITS, maxQueue: 10, statusRetryMs: 2000, graceMs: 1000, helperPath: async () => '/nonexistent',
      log: createLogger({ write: (line) => nodeLog.push(line) }), sessionSecret: KEY, sessionTiming: FAST,
      run: async (spec, _helper, signal) => {
        runs.push(String(spec.tag));
        await sleep(600, undefined, { signal });
        return { tx_packets: 5, tx_bytes: 320, tx_mbps: spec.rateMbps } as Stats;
      },
    });
    const { port } = await agent.start();
    stops.push(() => agent.stop(500));
    const service = await scheduler(store, log);
    await service.addNodes([{ name: 'n0', host: '127.0.0.1', port }]);
    // 0.5 s of grace: w + t + grace = 1.5 s, well inside the outage below, so a clock that ran on would time them out.
    const { job_ids: ids } = await handleControl(service, request({ add_jobs: [jobRequest(0.5), jobRequest(0.5), jobRequest(0.5)] }));
    await until('the first job running', () => service.core.state.jobs.get(ids[0]!)?.state === 'running');
    store.full = true;
    await until('the first job done in memory', () => service.core.state.jobs.get(ids[0]!)?.state === 'succeeded');
    await sleep(3000);
    assert.equal(runs.length, 1, 'no job left the scheduler while nothing could be saved');
    assert.equal(store.saved.get(ids[0]!), 'running', 'its SUCCESS is not saved yet');
    const during = await handleControl(service, request({ query: true }));
    assert.equal(during.error, undefined, 'status works while the store fails');
    assert.match(during.store_error ?? '', /^cannot save its state since \S+ \(cannot save scheduler state to scheduler\.db: database or disk is full\); \d+ change\(s\) wait in memory and are tried again every 1 s$/);
    assert.equal(log.filter((line) => /cannot save scheduler state/.test(line)).length, 1, `logged once in 3 s of failures:\n${log.join('')}`);

    store.full = false;
    await until('every job succeeded and saved', () => ids.every((id) => store.saved.get(id) === 'succeeded'), 15_000);
    assert.equal(runs.length, 3, 'each job ran once');
    assert.equal((await handleControl(service, request({ query: true }))).store_error, '', 'status says the store saves again');
    const text = log.join('');
    assert.match(text, /INFO  scheduler state saved again after \d+ s of failed saves/);
    assert.doesNotMatch(text, /sending again|lost|is down/, 'nothing timed out and the session stayed up');
    assert.doesNotMatch(nodeLog.join(''), /session with scheduler .* ended/, 'the node kept its session: acknowledgements waited');
  });
});
