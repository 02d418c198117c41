import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { waitForEnd } from '../../src/scheduler/wait-end.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { parseJob } from '../../src/input/job.js';
import { freePort } from '../helpers/binary.js';

describe('schedule --exit-when-done: when it ends, and what it says while it waits', function () {
  this.timeout(30_000);
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  let service: SchedulerService;
  let port: number;

  beforeEach(async () => {
    lines.length = 0;
    port = await freePort();
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log, tickMs: 20 });
    await service.start();
    // Nobody listens at the node's port: deliveries fail and the node is marked down.
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port }]);
  });
  afterEach(() => service.stop());

  it('logs the down node that holds jobs at each report, and ends at the deadline', async () => {
    service.addJobs([parseJob({ nodes: ['m0'], data: { m: 1, t: 1, s_min: 64 } }, 'test')]);
    const end = await waitForEnd(service, { exitWhenDone: true, deadlineMs: 4000, downReportMs: 300, log });
    assert.equal(end, 'deadline');
    const reports = lines.filter((line) => line.includes('--exit-when-done waits for them'));
    assert.ok(reports.length >= 3, lines.join(''));
    assert.match(reports.at(-1)!, new RegExp(`node m0 \\(127\\.0\\.0\\.1:${port}\\) is down since .* ago\\): 1 job\\(s\\) wait for it; --exit-when-done waits for them`));
  });

  it('ends at once when nothing is open, and names no node', async () => {
    assert.equal(await waitForEnd(service, { exitWhenDone: true, deadlineMs: 4000, downReportMs: 50, log }), 'drained');
    assert.equal(lines.some((line) => line.includes('waits for them')), false);
  });
});
