import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultCluster } from './harness.js';

/** How long the scheduler stays down: longer than the old 60 s of status retries on the nodes. */
const DOWN_MS = 150_000;

// Issue 11: kill -9 of the scheduler, kept down for 150 s while its nodes finish the jobs they hold,
// then started again on the same state folder. The nodes keep their final statuses until the
// scheduler acknowledges them, so no result is lost and no job runs twice. Both wires in the same
// outage: s0 and s1 report over sessions, l0 over the legacy wire.
describe('faults: kill -9 of the scheduler, down for 150 s (built binaries, loopback)', function () {
  this.timeout(DOWN_MS + 240_000);
  let cluster: FaultCluster | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs());
    await cluster?.cleanup();
  });

  it('loses no result the nodes finished while it was down, and runs none twice', async () => {
    cluster = await FaultCluster.create([{ name: 's0' }, { name: 's1' }, { name: 'l0', legacy: true }]);
    await Promise.all(['s0', 's1', 'l0'].map((name) => cluster!.startNode(name)));
    await cluster.startScheduler();
    await cluster.submit([1, 2, 3].flatMap(() => ['s0', 's1', 'l0'].map((node) => ({ node, t: 3 }))));
    const running = await Promise.all(['s0', 's1', 'l0'].map((name) => cluster!.started(name)));
    await sleep(500); // mid-job: each node finishes its job, and reports it, while the scheduler is down
    const first = cluster.scheduler;
    first.signal('SIGKILL');
    await first.ended;
    await sleep(DOWN_MS);
    await cluster.startScheduler();
    const problems: string[] = [];
    if (!(await cluster.allEnded(120_000))) problems.push('not every job ended within 120 s of the restart');
    const final = await cluster.status();
    const figures = await cluster.finish('kill -9 scheduler, down 150 s');
    // Nothing made a job fail: each one the nodes ran while the scheduler was down must show its result.
    for (const job of final.jobs.filter((j) => j.state !== 'succeeded')) {
      problems.push(`job ${job.id} on ${job.node}: ${job.state} "${job.reason}"${running.includes(job.id) ? ' (it ran while the scheduler was down)' : ''}`);
    }
    assert.deepEqual([...problems, ...figures.problems], []);
    assert.deepEqual([figures.ended, figures.lost, figures.duplicated, figures.orphans], [figures.jobs, 0, 0, 0]);
  });
});
