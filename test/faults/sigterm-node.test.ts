import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultCluster, jobIn } from './harness.js';
import { describeEnding } from './processes.js';

// Issue 11: SIGTERM of `serve` during a job. The scheduler records FAIL "node shutting down" for it
// within 5 s, serve exits 0 and leaves no pktgen-emit; a new serve then runs the jobs still queued.
describe('faults: SIGTERM of a node mid-job (built binaries, loopback)', function () {
  this.timeout(120_000);
  let cluster: FaultCluster | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs());
    await cluster?.cleanup();
  });

  it('fails the running job with "node shutting down" within 5 s, exits 0, and ends every job once', async () => {
    cluster = await FaultCluster.create([{ name: 'm0' }]);
    await cluster.startNode('m0');
    await cluster.startScheduler();
    await cluster.submit([1, 2, 3].map(() => ({ node: 'm0', t: 4, timeout: 5 })));
    const victim = await cluster.started('m0');
    await sleep(1000); // mid-job
    const problems: string[] = [];
    const serve = cluster.serve('m0');
    const signalledAt = Date.now();
    serve.signal('SIGTERM');
    const shutdown = (reason: string): boolean => /node shutting down/.test(reason);
    const recorded = await cluster.view.until((view) => {
      const job = jobIn(view, victim);
      return job?.state === 'failed' && shutdown(job.reason);
    }, signalledAt + 5000 - Date.now());
    if (!recorded) {
      const job = cluster.view.latest && jobIn(cluster.view.latest, victim);
      problems.push(`5 s after SIGTERM the scheduler shows job ${victim} ${job?.state} "${job?.reason}", not failed "node shutting down"`);
    }
    const ending = await serve.waitForEnd(15_000);
    if (ending?.exitCode !== 0) problems.push(`serve after SIGTERM: ${ending ? describeEnding(ending) : 'still running after 15 s'}, expected exit code 0`);
    const left = await cluster.helpersGone('m0', 2000);
    if (left.length > 0) problems.push(`after serve stopped: pktgen-emit PID(s) ${left.join(', ')} still run`);
    const failedAt = cluster.view.firstSeen(victim, (s) => s.state === 'failed' && shutdown(s.reason));
    console.log(`      faults: SIGTERM node: FAIL "node shutting down" recorded ${failedAt === undefined ? 'never' : `${failedAt - signalledAt} ms`} after the signal; serve ${ending ? describeEnding(ending) : 'did not exit'}`);

    await cluster.startNode('m0'); // the jobs still queued at the scheduler run on the node's next serve
    if (!(await cluster.allEnded(60_000))) problems.push('not every job ended within 60 s');
    const figures = await cluster.finish('SIGTERM node');
    assert.deepEqual([...problems, ...figures.problems], []);
    assert.deepEqual([figures.ended, figures.lost, figures.duplicated, figures.orphans], [figures.jobs, 0, 0, 0]);
  });
});
