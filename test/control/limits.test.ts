import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { handleControl, startControlServer } from '../../src/control/server.js';
import { controlRequest, type ControlPeer } from '../../src/control/client.js';
import { ClusterKey } from '../../src/security/cluster-key.js';
import { DEFAULT_CONTROL_LIMITS, type ControlLimits } from '../../src/control/limits.js';
import { emptyRequest, type ControlRequest, type JobRequest, type NodeRequest } from '../../src/protocol/control-messages.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import { randomBytes } from 'node:crypto';
import { secretFromBytes } from '../../src/session/crypto.js';
import type { FrameServer } from '../../src/transport/server.js';

const data = { m: 10, t: 1, s_min: 64 };
const job = (nodes: string[] = ['m0'], allNodes = false): JobRequest => ({ json: JSON.stringify(allNodes ? { data } : { nodes, data }), where: '', all_nodes: allNodes });
const node = (name: string, port: number, host = '127.0.0.1'): NodeRequest => ({ name, host, port, reflector: '', legacy: false });
const request = (patch: Partial<ControlRequest>): ControlRequest => ({ ...emptyRequest(), ...patch });
const small: ControlLimits = { requestBytes: 4096, jobsPerRequest: 6, nodesPerRequest: 3, maxQueued: 10, maxQueuedPerNode: 6, maxNodes: 4 };

describe('control API limits: each refusal names its limit, and a refused request changes nothing', () => {
  let service: SchedulerService;
  const jobCount = () => service.core.state.jobs.size;
  const nodeNames = () => [...service.core.state.nodes.keys()].sort();

  beforeEach(async () => {
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }) });
    await service.start();
    // Nodes nobody listens on, paused: jobs stay queued, which is what these tests count.
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }, { name: 'm1', host: '127.0.0.1', port: 2 }]);
    service.setPaused('m0', true);
    service.setPaused('m1', true);
  });
  afterEach(() => service.stop());

  async function refused(patch: Partial<ControlRequest>, code: string, message: RegExp, limits = small): Promise<void> {
    const jobs = jobCount();
    const nodes = nodeNames();
    const response = await handleControl(service, request(patch), limits);
    assert.equal(response.error?.code, code, response.error?.message);
    assert.match(response.error!.message, message);
    assert.equal(jobCount(), jobs, 'the job count is unchanged');
    assert.deepEqual(nodeNames(), nodes, 'no node was added');
  }
  const accepted = async (patch: Partial<ControlRequest>, limits = small) => {
    const response = await handleControl(service, request(patch), limits);
    assert.equal(response.error, undefined, response.error?.message);
    return response;
  };

  it('jobs per request, counting a job once per node it runs on, all_nodes included', async () => {
    await refused({ add_jobs: Array.from({ length: 7 }, () => job()) }, 'ERR_LIMIT', /^add_jobs: 7 or more jobs \(one per node a job runs on\) exceed the limit of 6 jobs per request; send them in parts$/);
    await refused({ add_jobs: [job(), job(['m0', 'm1']), job([], true), job([], true)], add_nodes: [node('m2', 3)] }, 'ERR_LIMIT', /exceed the limit of 6 jobs per request/);
    await accepted({ add_jobs: [job(['m0', 'm1']), job([], true), job(['m1']), job()] });
  });

  it('nodes per request', async () => {
    await refused({ add_nodes: [node('a', 11), node('b', 12), node('c', 13), node('d', 14)], add_jobs: [job()] }, 'ERR_LIMIT', /^add_nodes: 4 nodes exceed the limit of 3 nodes per request; send them in parts$/);
  });

  it('--max-queued: jobs not yet finished, in all', async () => {
    await accepted({ add_jobs: [job(['m0', 'm1']), job(['m0', 'm1']), job(['m0', 'm1'])] });
    await accepted({ add_jobs: [job(['m0', 'm1']), job(['m0', 'm1'])] });
    await refused({ add_jobs: [job(), job(['m1'])] }, 'ERR_LIMIT', /^add_jobs: 2 jobs exceed --max-queued 10 \(queued now: 10\)$/);
  });

  it('--max-queued-per-node: jobs not yet finished on one node', async () => {
    await accepted({ add_jobs: [job(), job(), job(), job(), job()] });
    await refused({ add_jobs: [job(['m1']), job(), job()] }, 'ERR_LIMIT', /^add_jobs: 2 jobs for node m0 exceed --max-queued-per-node 6 \(queued there now: 5\)$/);
    await accepted({ add_jobs: [job(), job(['m1'])] });
  });

  it('--max-nodes: new nodes past it are refused; nodes already known may still be updated', async () => {
    await accepted({ add_nodes: [node('m2', 3), node('m3', 4)] });
    await refused({ add_nodes: [node('m4', 5)] }, 'ERR_LIMIT', /^add_nodes: 1 new node exceeds --max-nodes 4 \(nodes now: 4\)$/);
    await accepted({ add_nodes: [node('m3', 40)] });
    assert.equal(service.core.state.nodes.get('m3')?.port, 40);
  });

  it('a HOST:PORT that already belongs to another node, in the scheduler or in the same request', async () => {
    await refused({ add_nodes: [node('m2', 1)] }, 'ERR_INPUT',
      /^add_nodes\[0\] = "127\.0\.0\.1:1": already the address of node m0; give node m2 its own HOST:PORT \(or remove node m0: pktgen submit --remove-node m0\)$/);
    await refused({ add_nodes: [node('m3', 8, 'LOCALHOST'), node('m4', 8, 'localhost')] }, 'ERR_INPUT', /^add_nodes\[1\] = "localhost:8": already the address of node m3; give node m4 its own HOST:PORT$/);
    await refused({ add_nodes: [node('m1', 1)] }, 'ERR_INPUT', /^add_nodes\[0\] = "127\.0\.0\.1:1": already the address of node m0/);
    // localhost is 127.0.0.1, written either way, in the scheduler or in the request.
    await refused({ add_nodes: [node('m5', 1, 'localhost')] }, 'ERR_INPUT', /^add_nodes\[0\] = "localhost:1": already the address of node m0 \(127\.0\.0\.1:1\); give node m5 its own HOST:PORT/);
    await refused({ add_nodes: [node('m6', 9, '::ffff:127.0.0.1'), node('m7', 9, '127.0.0.1')] }, 'ERR_INPUT', /^add_nodes\[1\] = "127\.0\.0\.1:9": already the address of node m6 \(\[::ffff:127\.0\.0\.1\]:9\)/);
    // A node added again at its own address, and two nodes that swap addresses, are fine.
    await accepted({ add_nodes: [node('m0', 1), node('m2', 8)] });
    await accepted({ add_nodes: [node('m0', 2), node('m1', 1)] });
  });

  it('holds with the default limits: one request cannot queue more than 10,000 jobs', async () => {
    const response = await handleControl(service, request({ add_jobs: Array.from({ length: 5001 }, () => job(['m0', 'm1'])) }));
    assert.equal(response.error?.code, 'ERR_LIMIT');
    assert.match(response.error!.message, /10,002 or more jobs .* exceed the limit of 10,000 jobs per request/);
    assert.equal(jobCount(), 0);
    assert.equal(DEFAULT_CONTROL_LIMITS.maxQueued, 100_000);
  });

  it('a search\'s trial counts against --max-queued and --max-queued-per-node: searches cannot walk around them', async () => {
    // A keyed scheduler: its nodes are pktgen nodes, which a search may use (paused, so trials stay queued).
    service.stop();
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }), sessionSecret: secretFromBytes(randomBytes(32)) });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }, { name: 'm1', host: '127.0.0.1', port: 2 }]);
    service.setPaused('m0', true);
    service.setPaused('m1', true);
    const search = { json: JSON.stringify({ node: 'm0', target: '127.0.0.1:7', sizes: [64], trial: 1, max_rate: '10M' }), where: 'submit --search' };
    await accepted({ add_jobs: [job(), job(), job(), job(), job()] });
    await accepted({ search });
    assert.equal(service.searches.list().length, 1);
    await refused({ search }, 'ERR_LIMIT', /^search: 1 job for node m0 exceeds --max-queued-per-node 6 \(queued there now: 6\)$/);
    await refused({ search, add_jobs: [job(['m1'])] }, 'ERR_LIMIT', /--max-queued-per-node 6/);
    assert.equal(service.searches.list().length, 1, 'no search was started');
    await accepted({ add_jobs: [job(['m1']), job(['m1']), job(['m1']), job(['m1'])] });
    await refused({ search: { ...search, json: search.json.replace('"m0"', '"m1"') } }, 'ERR_LIMIT', /^search: 1 job exceeds --max-queued 10 \(queued now: 10\)$/);
    assert.equal(service.searches.list().length, 1, 'no search was started');
  });

  describe('over the control port', () => {
    const key = ClusterKey.random();
    let server: FrameServer;
    let peer: ControlPeer;
    beforeEach(async () => {
      server = await startControlServer(service, { host: '127.0.0.1', port: 0, allow: new Allowlist(LOOPBACK_CIDRS, '--control-allow'), key, log: createLogger({ write: () => undefined }), limits: small });
      peer = { address: server.address, key };
    });
    afterEach(() => server.close());

    it('refuses a request above the byte limit before reading it, with the limit named', async () => {
      const big = { add_jobs: Array.from({ length: 3 }, () => ({ ...job(), where: 'x'.repeat(2000) })) };
      await assert.rejects(controlRequest(peer, big), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_LIMIT');
        assert.match(error.message, /request of 6,\d{3} bytes exceeds the limit of 4,096 bytes per control request; send it in parts$/);
        return true;
      });
      assert.equal(jobCount(), 0);
      // The port still serves a request within the limits.
      assert.equal((await controlRequest(peer, { add_jobs: [job()] })).job_ids.length, 1);
    });
  });
});
