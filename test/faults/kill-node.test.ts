import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultCluster, jobIn } from './harness.js';

// Issue 11: kill -9 of `serve` during a job. Within 2 s no pktgen-emit of that node may be left (the
// sender nor the reflector), a new serve on the same ports starts at once, and the job ends with a
// reason: re-run when its retries allow, else lost.
describe('faults: kill -9 of a node mid-job (built binaries, loopback)', function () {
  this.timeout(180_000);
  let cluster: FaultCluster | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs());
    await cluster?.cleanup();
  });

  it('leaves no pktgen-emit, restarts at once on the same ports, and ends every job once', async () => {
    cluster = await FaultCluster.create([{ name: 'm0' }, { name: 'm1' }]);
    await Promise.all([cluster.startNode('m0'), cluster.startNode('m1')]);
    await cluster.startScheduler();
    // The first job of each node is the one killed: m0's may run again (retries 1), m1's may not.
    await cluster.submit([0, 1, 2].flatMap((i) => [
      { node: 'm0', t: 3, timeout: 5, retries: i === 0 ? 1 : 0 },
      { node: 'm1', t: 3, timeout: 5 },
    ]));
    const victims = { m0: await cluster.started('m0'), m1: await cluster.started('m1') };
    await sleep(1000); // mid-job
    for (const name of ['m0', 'm1']) {
      assert.ok(cluster.helpers(name).length >= 2, `node ${name} runs its sender and reflector before the kill`);
    }
    const problems: string[] = [];
    // Both nodes at once: the two kills and their 2 s waits are independent.
    await Promise.all(['m0', 'm1'].map(async (name) => {
      const serve = cluster!.serve(name);
      const killedAt = Date.now();
      serve.signal('SIGKILL');
      await serve.ended;
      const left = await cluster!.helpersGone(name, 2000);
      const goneMs = Date.now() - killedAt;
      if (left.length > 0) problems.push(`2 s after kill -9 of serve ${name}: pktgen-emit PID(s) ${left.join(', ')} still run`);
      const startedAt = Date.now();
      const restarted = await cluster!.startNode(name);
      console.log(`      faults: kill -9 node: ${name}'s pktgen-emit ${left.length > 0 ? `still ${left.length} after` : 'gone within'} ${goneMs} ms; its new serve listening after ${Date.now() - startedAt} ms`);
      const startup = restarted.log.split('\n').find((line) => /pktgen node \S+ listening on/.test(line)) ?? '';
      const node = cluster!.node(name);
      if (!startup.includes(`127.0.0.1:${node.port} (TCP, jobs) and 127.0.0.1:${node.reflectPort} (UDP, reflector)`) || /not listening yet/.test(startup)) {
        problems.push(`the new serve ${name} did not start at once on its ports: ${startup}`);
      }
    }));

    if (!(await cluster.allEnded(120_000))) problems.push('not every job ended within 120 s');
    const final = await cluster.status();
    const figures = await cluster.finish('kill -9 node');
    const runs = cluster.runs();
    const m0 = jobIn(final, victims.m0);
    const m1 = jobIn(final, victims.m1);
    if (runs.get(victims.m0)?.starts !== 2) problems.push(`m0's killed job ${victims.m0} (retries 1) started ${runs.get(victims.m0)?.starts ?? 0} times, expected a re-run: ${m0?.state} "${m0?.reason}"`);
    if (m1?.state !== 'lost' || runs.get(victims.m1)?.starts !== 1) problems.push(`m1's killed job ${victims.m1} (retries 0): ${m1?.state} "${m1?.reason}", started ${runs.get(victims.m1)?.starts ?? 0} times; expected lost, started once`);
    assert.deepEqual([...problems, ...figures.problems], []);
    assert.deepEqual([figures.ended, figures.lost, figures.duplicated, figures.orphans], [figures.jobs, 0, 0, 0]);
  });
});
