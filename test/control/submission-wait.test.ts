import assert from 'node:assert/strict';
import { submit } from '../../src/control/submission.js';
import { startControlServer } from '../../src/control/server.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import type { FrameServer } from '../../src/transport/server.js';
import { createLogger } from '../../src/log.js';
import { ClusterKey } from '../../src/security/cluster-key.js';
import { FakeNode } from '../helpers/fake-node.js';
import { freePort } from '../helpers/binary.js';
import { until } from '../helpers/until.js';

const job = { json: JSON.stringify({ nodes: ['m0'], data: { m: 1, t: 1, s_min: 64 } }), where: 'test', all_nodes: false };

describe('submit --wait to a node that is down', function () {
  this.timeout(60_000);
  const log = createLogger({ write: () => undefined });
  const key = ClusterKey.random();
  let service: SchedulerService;
  let server: FrameServer;
  let node: FakeNode | undefined;
  let nodePort: number;

  beforeEach(async () => {
    nodePort = await freePort();
    // Nobody listens at the node's port yet: three deliveries fail and the node is down.
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log, tickMs: 20, core: { probeIntervalMs: 500 } });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: nodePort }]);
    server = await startControlServer(service, { host: '127.0.0.1', port: 0, allow: new Allowlist(LOOPBACK_CIDRS, 'test'), key, log });
  });
  afterEach(async () => {
    await server.close();
    await service.stop();
    await node?.stop();
    node = undefined;
  });

  it('with --timeout: prints the id first, says the node is down, and ends with exit code 3 naming the job and why', async () => {
    const printed: string[] = [];
    const warned: string[] = [];
    const result = await submit({ address: server.address, key }, { add_jobs: [job] }, { wait: true, timeoutMs: 3000, json: false, print: (t) => printed.push(t), warn: (t) => warned.push(t) });
    assert.equal(result.exitCode, 3);
    const [id] = result.document.job_ids;
    assert.equal(printed[0], id, 'the id comes first');
    assert.match(warned.join('\n'), /node m0 is down since .*: 1 of these job\(s\) wait for it; still waiting \(until the --timeout of 3 s\)/);
    const report = warned.at(-1)!;
    assert.match(report, new RegExp(`^timed out after 3 s \\(--timeout\\) with 1 of 1 job\\(s\\) still open:\\n  ${id} on m0 \\((pending|sent)\\): .*node m0 is down since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z \\(\\d+ s ago\\)$`));
    assert.ok('timed_out' in result.document && result.document.timed_out);
    assert.deepEqual(result.document.open?.map((o) => [o.id, o.node]), [[id, 'm0']]);
  });

  it('without --timeout: says once that the node is down and the job waits, then that it is back, and ends when the job does', async () => {
    const warned: string[] = [];
    const waiting = submit({ address: server.address, key }, { add_jobs: [job] }, { wait: true, json: true, print: () => undefined, warn: (t) => warned.push(t), pollMs: 100 });
    await until('the down notice', () => warned.some((line) => /node m0 is down/.test(line)), 15_000);
    node = new FakeNode();
    // Long enough for a poll to see the node up while its job runs.
    node.behaviour = { kind: 'succeed', ms: 1500 };
    await node.start(nodePort);
    const result = await waiting;
    assert.equal(result.exitCode, 0);
    assert.equal(warned.filter((line) => /is down/.test(line)).length, 1, warned.join('\n'));
    assert.match(warned.join('\n'), /Ctrl-C stops waiting; --timeout bounds the wait/);
    assert.match(warned.at(-1)!, /^node m0 is back \(up\)$/);
  });
});
