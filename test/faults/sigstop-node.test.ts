import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultCluster } from './harness.js';

/** How long the nodes stay stopped: past the scheduler's 3 s of session silence and every job's deadline. */
const STOPPED_MS = 40_000;

// Issue 11: a node stopped with SIGSTOP for 40 s, then SIGCONT. While it is stopped the scheduler
// gives its running job up (lost) and tries to send it the next ones; after SIGCONT no job may run
// twice and every job ends once. Both wires at once: s0 is driven over a session, l0 over the
// legacy wire (where sends to a stopped process look delivered).
describe('faults: SIGSTOP of a node for 40 s, then SIGCONT (built binaries, loopback)', function () {
  this.timeout(STOPPED_MS + 180_000);
  let cluster: FaultCluster | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs());
    await cluster?.cleanup();
  });

  it('runs no job twice and ends every job once, over a session and over the legacy wire', async () => {
    cluster = await FaultCluster.create([{ name: 's0' }, { name: 'l0', legacy: true }]);
    await Promise.all([cluster.startNode('s0'), cluster.startNode('l0')]);
    await cluster.startScheduler();
    // w + t + timeout = 7 s: the running job's deadline, and each unstarted send's, pass while the node is stopped.
    await cluster.submit([1, 2, 3].flatMap(() => [{ node: 's0', t: 2, timeout: 5 }, { node: 'l0', t: 2, timeout: 5 }]));
    await Promise.all([cluster.started('s0'), cluster.started('l0')]);
    await sleep(500); // mid-job
    const stopped = [cluster.serve('s0'), cluster.serve('l0')];
    try {
      for (const serve of stopped) serve.signal('SIGSTOP');
      await sleep(STOPPED_MS);
    } finally {
      for (const serve of stopped) serve.signal('SIGCONT');
    }
    const problems: string[] = [];
    if (!(await cluster.allEnded(120_000))) problems.push('not every job ended within 120 s of SIGCONT');
    // Late statuses and repeated deliveries arrive after SIGCONT: give them time to show before the figures.
    await sleep(5000);
    const figures = await cluster.finish('SIGSTOP node 40 s');
    assert.deepEqual([...problems, ...figures.problems], []);
    assert.deepEqual([figures.ended, figures.lost, figures.duplicated, figures.orphans], [figures.jobs, 0, 0, 0]);
  });
});
