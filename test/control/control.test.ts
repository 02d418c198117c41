import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { handleControl } from '../../src/control/server.js';
import { emptyRequest, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type ControlRequest, type JobRequest } from '../../src/protocol/control-messages.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';

const data = { m: 10, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
/** A job as a client sends it: the object as JSON, named by its index in the request. */
const job = (patch: Record<string, unknown> = {}, allNodes = false): JobRequest => ({ json: JSON.stringify({ nodes: ['m0'], data, ...patch }), where: '', all_nodes: allNodes });
const request = (patch: Partial<ControlRequest>): ControlRequest => ({ ...emptyRequest(), ...patch });

describe('control API: requests against a scheduler', () => {
  let service: SchedulerService;

  beforeEach(async () => {
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }) });
    await service.start();
    // A node nobody listens on: jobs stay queued, which is what these tests look at.
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }, { name: 'm1', host: '127.0.0.1', port: 2 }]);
    service.setPaused('m0', true);
    service.setPaused('m1', true);
  });
  afterEach(() => service.stop());

  it('round-trips requests and responses through protobuf', () => {
    const req = request({ add_jobs: [job({ priority: -2, target: 'm1', timeout: 12.5, retries: 2 })], cancel: ['x'], query: true, limit: 5 });
    assert.deepEqual(decodeRequest(encodeRequest(req)), req);
    const res = decodeResponse(encodeResponse({ error: { code: 'ERR_INPUT', message: 'bad' } }));
    assert.deepEqual(res.error, { code: 'ERR_INPUT', message: 'bad' });
  });

  it('adds jobs, returns their ids in order, and a query lists them', async () => {
    const added = await handleControl(service, request({ add_jobs: [job(), job({ nodes: undefined }, true)] }));
    assert.equal(added.error, undefined);
    assert.equal(added.job_ids.length, 3);
    const listed = await handleControl(service, request({ query: true }));
    assert.deepEqual(listed.jobs.map((j) => `${j.id}:${j.node}:${j.state}`), added.job_ids.map((id, i) => `${id}:${i === 2 ? 'm1' : 'm0'}:pending`));
    assert.deepEqual(listed.nodes.map((n) => [n.name, n.pending, n.paused]), [['m0', 2, true], ['m1', 1, true]]);
  });

  const refusals: Array<[string, Partial<ControlRequest>, string, RegExp]> = [
    ['an unknown node', { add_jobs: [job({ nodes: ['zz'] })] }, 'ERR_INPUT', /^add_jobs\[1\]: nodes\[0\] = "zz": unknown node/],
    ['an out-of-range field', { add_jobs: [job({ data: { ...data, t: 0 } })] }, 'ERR_INPUT', /^add_jobs\[1\]: t = 0: expected an integer duration 1\.\.3600 s$/],
    ['a job that is not JSON', { add_jobs: [{ json: '{"nodes": [', where: 'x.json: $.jobs[0]', all_nodes: false }] }, 'ERR_INPUT', /^x\.json: \$\.jobs\[0\] = "\{\\"nodes\\": \[": expected a job as JSON/],
    ['an unknown job to cancel', { cancel: ['nope'] }, 'ERR_UNKNOWN_JOB', /cancel nope: no such job/],
    ['an unknown node to pause', { pause_node: 'zz' }, 'ERR_UNKNOWN_NODE', /node zz: no such node/],
    ['a bad node address', { add_nodes: [{ name: 'm9', host: 'bad host', port: 1, reflector: '', legacy: false }] }, 'ERR_INPUT', /add_nodes\[0\]\.host/],
    ['a node at the address of another', { add_nodes: [{ name: 'm9', host: 'localhost', port: 1, reflector: '', legacy: false }] }, 'ERR_INPUT', /^add_nodes\[0\] = "localhost:1": already the address of node m0/],
    ['an unknown node to remove', { remove_nodes: ['m0', 'zz'] }, 'ERR_UNKNOWN_NODE', /^remove_nodes: node zz: no such node$/],
    ['an unknown node to cancel the jobs of', { cancel_nodes: ['zz'] }, 'ERR_UNKNOWN_NODE', /^cancel_nodes: node zz: no such node$/],
  ];
  for (const [what, patch, code, message] of refusals) {
    it(`refuses ${what} as data, and applies nothing of the request`, async () => {
      const response = await handleControl(service, request({ ...patch, add_jobs: [job(), ...(patch.add_jobs ?? [])] }));
      assert.equal(response.error?.code, code);
      assert.match(response.error!.message, message);
      assert.equal(service.core.state.jobs.size, 0);
      assert.deepEqual([...service.core.state.nodes.keys()], ['m0', 'm1']);
    });
  }

  it('round-trips node removals, node cancels, explain and their answers', () => {
    const req = request({ remove_nodes: ['m1'], cancel_nodes: ['m0', 'm2'], explain: true, query: true, job_ids: ['j1'] });
    assert.deepEqual(decodeRequest(encodeRequest(req)), req);
    const res = decodeResponse(encodeResponse({ job_ids: [], nodes: [], jobs: [], jobs_total: 0, cancelled: ['j1', 'j2'], queued_ahead: { j3: 4, j4: 0 } }));
    assert.deepEqual([res.cancelled, res.queued_ahead], [['j1', 'j2'], { j3: 4, j4: 0 }]);
  });

  it('cancels every job of a node (which stays), and removes a node (its jobs cancelled: "node NAME removed")', async () => {
    const { job_ids: ids } = await handleControl(service, request({ add_jobs: [job(), job(), job({ nodes: ['m1'] }), job({ nodes: ['m1'] })] }));
    const cancelled = await handleControl(service, request({ cancel_nodes: ['m0'] }));
    assert.deepEqual(cancelled.cancelled, ids!.slice(0, 2));
    assert.ok(service.core.state.nodes.has('m0'));
    const removed = await handleControl(service, request({ remove_nodes: ['m1'], query: true, job_ids: ids! }));
    assert.deepEqual(removed.cancelled, ids!.slice(2));
    assert.deepEqual(removed.nodes.map((n) => n.name), ['m0']);
    assert.deepEqual(removed.jobs.map((j) => `${j.state}: ${j.reason}`), [
      'cancelled: cancelled with every job of node m0', 'cancelled: cancelled with every job of node m0', 'cancelled: node m1 removed', 'cancelled: node m1 removed',
    ]);
    // A job for the removed node is refused as one for any unknown node; the name can be taken again.
    assert.match((await handleControl(service, request({ add_jobs: [job({ nodes: ['m1'] })] }))).error!.message, /unknown node/);
    assert.equal((await handleControl(service, request({ add_nodes: [{ name: 'm1', host: '127.0.0.1', port: 2, reflector: '', legacy: false }] }))).error, undefined);
    // Cancelling a job again cancels nothing.
    assert.equal((await handleControl(service, request({ cancel: [ids![0]!] }))).cancelled, undefined);
  });

  it('explains, when asked, how many jobs each listed queued job waits behind on its node', async () => {
    const { job_ids: ids } = await handleControl(service, request({ add_jobs: [job({ priority: 5 }), job({ priority: 1 }), job({ nodes: ['m1'] })] }));
    const plain = await handleControl(service, request({ query: true, job_ids: ids! }));
    assert.equal(plain.queued_ahead, undefined);
    const explained = await handleControl(service, request({ query: true, job_ids: ids!, explain: true }));
    assert.deepEqual(explained.queued_ahead, { [ids![0]!]: 1, [ids![1]!]: 0, [ids![2]!]: 0 });
  });

  it('cancels a pending job', async () => {
    const [id] = (await handleControl(service, request({ add_jobs: [job()] }))).job_ids;
    await handleControl(service, request({ cancel: [id!] }));
    assert.equal(service.core.state.jobs.get(id!)?.state, 'cancelled');
  });

  it('adds a node that is usable at once', async () => {
    await handleControl(service, request({ add_nodes: [{ name: 'm2', host: '127.0.0.1', port: 0, reflector: '', legacy: false }] }));
    const node = service.core.state.nodes.get('m2');
    assert.equal(node?.port, 1729);
    const added = await handleControl(service, request({ add_jobs: [job({ nodes: ['m2'] })] }));
    assert.equal(added.error, undefined);
  });
});
