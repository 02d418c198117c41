import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { submit } from '../../src/control/submission.js';
import { startControlServer } from '../../src/control/server.js';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore } from '../../src/store/index.js';
import { Allowlist, LOOPBACK_CIDRS } from '../../src/transport/allowlist.js';
import type { FrameServer } from '../../src/transport/server.js';
import { createLogger } from '../../src/log.js';
import { ClusterKey } from '../../src/security/cluster-key.js';
import { FakeNode } from '../helpers/fake-node.js';

const job = { nodes: ['m0'], data: { m: 1, t: 1, s_min: 64 } };

describe('submit --wait', () => {
  const log = createLogger({ write: () => undefined });
  const node = new FakeNode();
  const key = ClusterKey.random();
  let service: SchedulerService;
  let server: FrameServer;

  before(async () => {
    await node.start();
    node.behaviour = { kind: 'succeed', ms: 50 };
    // The scheduler keeps no finished job: each is removed the moment it ends.
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log, tickMs: 20, core: { keepJobs: 0 } });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
    server = await startControlServer(service, { host: '127.0.0.1', port: 0, allow: new Allowlist(LOOPBACK_CIDRS, 'test'), key, log });
  });
  after(async () => {
    await server.close();
    await service.stop();
    await node.stop();
  });

  it('ends when its jobs were removed after they finished, and says their outcome is unknown', async () => {
    const printed: string[] = [];
    const waiting = submit({ address: server.address, key }, { add_jobs: [{ json: JSON.stringify(job), where: 'test', all_nodes: false }] }, { wait: true, json: false, print: (text) => printed.push(text) });
    const result = await Promise.race([waiting, sleep(10_000).then(() => 'still waiting after 10 s' as const)]);
    assert.notEqual(result, 'still waiting after 10 s');
    assert.ok(typeof result === 'object');
    assert.equal(result.exitCode, 1);
    assert.match(printed.join('\n'), /1 finished but removed before they were read/);
  });
});
