import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/binary.js';
import { encodeJob } from '../../src/protocol/messages.js';
import { sendFrame } from '../../src/transport/client.js';
import { FaultCluster } from './harness.js';

// Issue 11: a job whose reply address is dead (the legacy wire, where statuses go back on new
// connections to the job's reply_to) must run once, not once per delivery, and the scheduler's view
// must stay right. A scheduler that hears no STARTED sends the job again (3 times at most).
describe('faults: a dead reply address (built binaries, loopback)', function () {
  this.timeout(180_000);
  let cluster: FaultCluster | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs());
    await cluster?.cleanup();
  });

  it("the scheduler's own reply address is dead: each job runs once and ends once, the node stays up and idle", async () => {
    cluster = await FaultCluster.create([{ name: 'l0', legacy: true }]);
    await cluster.startNode('l0');
    // Statuses are heard on 127.0.0.2 only, but the scheduler reaches the node from 127.0.0.1: its
    // reply_to ":PORT" names 127.0.0.1:PORT, where nothing listens (a scheduler on the wrong interface).
    await cluster.startScheduler({ host: '127.0.0.2' });
    // w + t + timeout = 3 s between the sends of a job the scheduler never hears start.
    const ids = await cluster.submit([{ node: 'l0', t: 1, timeout: 2 }, { node: 'l0', t: 1, timeout: 2 }]);
    const problems: string[] = [];
    if (!(await cluster.allEnded(90_000))) problems.push('not every job ended within 90 s');
    await sleep(2000); // a repeated delivery would start its run by now
    const view = await cluster.status();
    const runs = cluster.runs();
    // More than once shows in the figures (duplicated).
    for (const id of ids) if (!runs.get(id)?.starts) problems.push(`job ${id}: never started at the node, expected once`);
    const node = view.nodes.find((n) => n.name === 'l0');
    if (node?.health !== 'up' || node.running_job !== '' || node.pending !== 0) {
      problems.push(`node l0 in the scheduler's view: ${node?.health}, running "${node?.running_job}", ${node?.pending} pending; expected up, idle, none pending`);
    }
    // Its results have no way back: lost at the scheduler is the honest end, not a lost result.
    const figures = await cluster.finish('dead reply address (scheduler)', { undeliverable: new Set(ids) });
    assert.deepEqual([...problems, ...figures.problems], []);
    assert.deepEqual([figures.ended, figures.lost, figures.duplicated, figures.orphans], [figures.jobs, 0, 0, 0]);
  });

  it("another sender's dead reply address: its job runs once, and the scheduler's jobs on the same node all succeed", async () => {
    cluster = await FaultCluster.create([{ name: 'l0', legacy: true }]);
    await cluster.startNode('l0');
    await cluster.startScheduler();
    const ids = await cluster.submit([1, 2, 3].map(() => ({ node: 'l0', t: 2 })));
    // Another (old) scheduler on this host whose status port is closed: it hears no STARTED, so it
    // sends its job again, 3 times in all, as pktgen's scheduler does, between the jobs of ours.
    const dead = await freePort();
    const foreign = `j${randomBytes(6).toString('hex')}`;
    const frame = encodeJob({ id: foreign, m: 1, t: 1, w: 0, n: 1, s_min: 64, s_max: 0, reply_to: `:${dead}` });
    for (let send = 0; send < 3; send++) {
      await sendFrame({ host: '127.0.0.1', port: cluster.node('l0').port }, frame, { connectTimeoutMs: 3000, ioTimeoutMs: 5000 });
      await sleep(2500);
    }
    const problems: string[] = [];
    if (!(await cluster.allEnded(90_000))) problems.push('not every job ended within 90 s');
    await sleep(3000); // a repeated delivery queued behind our last job (runs of 1-2 s) has started by now
    const starts = cluster.runs().get(foreign)?.starts ?? 0;
    if (starts !== 1) problems.push(`the job with the dead reply address started ${starts} times at the node, expected once`);
    const view = await cluster.status();
    const node = view.nodes.find((n) => n.name === 'l0');
    if (node?.done !== ids.length || node.failed !== 0 || node.health !== 'up' || node.running_job !== '') {
      problems.push(`node l0 in the scheduler's view: ${node?.health}, done ${node?.done}, failed ${node?.failed}, running "${node?.running_job}"; expected up, done ${ids.length}, failed 0, idle`);
    }
    for (const job of view.jobs.filter((j) => j.state !== 'succeeded')) problems.push(`job ${job.id}: ${job.state} "${job.reason}"`);
    const figures = await cluster.finish('dead reply address (another sender)');
    assert.deepEqual([...problems, ...figures.problems], []);
    assert.deepEqual([figures.ended, figures.lost, figures.duplicated, figures.orphans], [figures.jobs, 0, 0, 0]);
  });
});
