import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { MemoryStore, type Changes } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { decodeJob, encodeStatus } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import type { JobData } from '../../src/protocol/messages.js';
import { FakeNode } from '../helpers/fake-node.js';
import { until } from '../helpers/until.js';

/** A memory store that remembers the state each job was last saved in. */
class WatchedStore extends MemoryStore {
  readonly saved = new Map<string, string>();
  override apply(changes: Changes): void {
    super.apply(changes);
    for (const job of changes.jobs ?? []) this.saved.set(job.id, job.state);
  }
}

const data: JobData = { m: 1, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const spec = (node: string) => ({ nodes: [node], priority: 0, data, target: '', timeoutS: 5, retries: 0 });


describe('scheduler service: state is saved before anything leaves the process', () => {
  let service: SchedulerService;
  let node: FakeNode;
  let store: WatchedStore;
  const savedAtSend: Array<string | undefined> = [];

  beforeEach(async () => {
    savedAtSend.length = 0;
    store = new WatchedStore();
    node = new FakeNode();
    await node.start();
    service = new SchedulerService({
      listen: { host: '127.0.0.1', port: 0 }, store, log: createLogger({ write: () => undefined }),
      send: (address, payload, options) => {
        savedAtSend.push(store.saved.get(decodeJob(payload).id));
        return sendFrame(address, payload, options);
      },
    });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
  });
  afterEach(async () => {
    await service.stop();
    await node.stop();
  });

  it('saves a job as sent before it is sent', async () => {
    node.behaviour = { kind: 'succeed', ms: 0 };
    service.addJobs([spec('m0'), spec('m0'), spec('m0')]);
    await until('3 successes', () => [...store.saved.values()].filter((state) => state === 'succeeded').length === 3);
    assert.deepEqual(savedAtSend, ['sent', 'sent', 'sent']);
  });

  it('closes a status connection only once the status is saved', async () => {
    node.behaviour = { kind: 'silent' };
    const [id] = service.addJobs([spec('m0')]);
    await until('the job at the node', () => node.jobs.length === 1);
    // The sender's connection closes (its acknowledgement) only after the change is in the store.
    await sendFrame({ host: '127.0.0.1', port: service.statusPort }, encodeStatus({ type: 'STARTED', job_id: id!, node: 'm0' }));
    assert.equal(store.saved.get(id!), 'running');
    await sendFrame({ host: '127.0.0.1', port: service.statusPort }, encodeStatus({ type: 'SUCCESS', job_id: id!, node: 'm0' }));
    assert.equal(store.saved.get(id!), 'succeeded');
  });
});

describe('scheduler service: a status that cannot be saved is refused, not taken', () => {
  it('resets the connection, so that the node sends the status again', async () => {
    let failNext = false;
    class FlakyStore extends WatchedStore {
      override apply(changes: Changes): void {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        super.apply(changes);
      }
    }
    const store = new FlakyStore();
    const node = new FakeNode();
    await node.start();
    node.behaviour = { kind: 'silent' };
    const logs: string[] = [];
    const service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store, log: createLogger({ write: (line) => logs.push(line) }) });
    try {
      await service.start();
      await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: node.port }]);
      const [id] = service.addJobs([spec('m0')]);
      await until('the job at the node', () => node.jobs.length === 1);
      const started = encodeStatus({ type: 'STARTED', job_id: id!, node: 'm0' });
      failNext = true;
      await assert.rejects(sendFrame({ host: '127.0.0.1', port: service.statusPort }, started), { code: 'ERR_CLOSED' });
      assert.ok(logs.some((line) => /cannot save scheduler state \(.*disk full\)/.test(line)), logs.join(''));
      // Sent again as a node's outbox does, until taken: refused while the store fails, taken once saved.
      const deadline = Date.now() + 10_000;
      while (!(await sendFrame({ host: '127.0.0.1', port: service.statusPort }, started).then(() => true, () => false))) {
        assert.ok(Date.now() < deadline, 'the status was never taken again');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(store.saved.get(id!), 'running');
      assert.ok(logs.some((line) => /scheduler state saved again after \d+ s/.test(line)), logs.join(''));
    } finally {
      await service.stop();
      await node.stop();
    }
  });
});
