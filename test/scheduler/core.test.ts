import assert from 'node:assert/strict';
import { DEFAULT_CORE_CONFIG, SchedulerCore, type CoreConfig, type Effect, type NewJob, type SchedulerEvent } from '../../src/scheduler/core.js';
import type { JobRecord, SchedulerState } from '../../src/scheduler/types.js';
import type { Stats } from '../../src/protocol/messages.js';

const data = { m: 10, t: 2, w: 1, n: 1, s_min: 64, s_max: 0, r: false, l: false };
const emptyState = (): SchedulerState => ({ nodes: new Map(), jobs: new Map(), nextSeq: 1 });
const job = (id: string, node: string, priority = 1, extra: Partial<NewJob> = {}): NewJob =>
  ({ id, node, priority, data, target: '', timeoutS: 5, retries: 0, ...extra });

/** An event without its time: the harness adds its clock. */
type EventInput = SchedulerEvent extends infer E ? (E extends unknown ? Omit<E, 'now'> : never) : never;

/** Drives a core with events and collects every effect; `t` is the clock in ms. */
class Harness {
  readonly core: SchedulerCore;
  readonly effects: Effect[] = [];
  /** Ids of the jobs the core removed, in order. */
  readonly removed: string[] = [];
  t = 0;

  constructor(state = emptyState(), config: Partial<CoreConfig> = {}) {
    this.core = new SchedulerCore(state, { ...DEFAULT_CORE_CONFIG, ...config });
  }

  do(event: EventInput): Effect[] {
    const result = this.core.handle({ ...event, now: this.t } as SchedulerEvent);
    this.effects.push(...result.effects);
    this.removed.push(...result.removedJobs);
    return result.effects;
  }

  node(name: string, host = '127.0.0.1', port = 1729): this {
    this.do({ type: 'nodeAdded', node: { name, host, port } });
    return this;
  }

  jobs(...jobs: NewJob[]): Effect[] {
    return this.do({ type: 'jobsAdded', jobs });
  }

  status(jobId: string, status: 'STARTED' | 'SUCCESS' | 'FAIL', reason = '', candidates: string[] = []): Effect[] {
    return this.do({ type: 'statusReceived', jobId, candidates, status, reason });
  }

  /** Delivers, starts and succeeds every job that is out on a node, until nothing is; returns the run order. */
  runAll(limit = 100): string[] {
    const order: string[] = [];
    for (let i = 0; i < limit; i++) {
      const out = [...this.core.state.jobs.values()].filter((j) => j.state === 'sent').sort((a, b) => a.sentAt! - b.sentAt! || a.seq - b.seq);
      if (out.length === 0) break;
      for (const next of out) {
        order.push(next.id);
        this.do({ type: 'jobDelivered', jobId: next.id });
        this.status(next.id, 'STARTED');
        this.status(next.id, 'SUCCESS');
      }
    }
    return order;
  }

  job(id: string): JobRecord {
    const record = this.core.state.jobs.get(id);
    assert.ok(record, `no job ${id}`);
    return record;
  }

  sent(): string[] {
    return this.effects.filter((e) => e.type === 'sendJob').map((e) => (e as { jobId: string }).jobId);
  }
}

describe('scheduler core: ordering', () => {
  const cases: Array<[string, NewJob[], string[]]> = [
    ['priorities 3, 1, 2, 1 run as first 1, second 1, 2, 3',
      [job('p3', 'm0', 3), job('p1a', 'm0', 1), job('p2', 'm0', 2), job('p1b', 'm0', 1)], ['p1a', 'p1b', 'p2', 'p3']],
    ['equal priorities keep file order', [job('a', 'm0'), job('b', 'm0'), job('c', 'm0')], ['a', 'b', 'c']],
    ['negative priorities come first', [job('z', 'm0', 0), job('neg', 'm0', -5)], ['neg', 'z']],
  ];
  for (const [name, jobs, expected] of cases) {
    it(name, () => {
      const h = new Harness().node('m0');
      h.jobs(...jobs);
      assert.deepEqual(h.runAll(), expected);
      assert.ok(h.core.isDrained());
    });
  }

  it('sends a node one job at a time', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    assert.deepEqual(h.sent(), ['a']);
    h.do({ type: 'jobDelivered', jobId: 'a' });
    h.status('a', 'STARTED');
    assert.deepEqual(h.sent(), ['a']);
    h.status('a', 'SUCCESS');
    assert.deepEqual(h.sent(), ['a', 'b']);
  });

  it('keeps nodes apart: each has its own queue', () => {
    const h = new Harness().node('m0', '127.0.0.1', 1729).node('m1', '127.0.0.1', 1731);
    h.jobs(job('a0', 'm0'), job('a1', 'm1'), job('b0', 'm0'));
    assert.deepEqual(h.sent(), ['a0', 'a1']);
    assert.equal(h.core.pendingCount('m0'), 1);
    assert.equal(h.core.pendingCount('m1'), 0);
  });

  it('does not queue a job for an unknown node, and says so', () => {
    const h = new Harness().node('m0');
    const effects = h.jobs(job('x', 'nope'));
    assert.equal(h.core.state.jobs.size, 0);
    assert.match(JSON.stringify(effects), /unknown node nope/);
  });

  it('holds a paused node and resumes it', () => {
    const h = new Harness().node('m0');
    h.do({ type: 'pauseChanged', node: 'm0', paused: true });
    h.jobs(job('a', 'm0'));
    assert.deepEqual(h.sent(), []);
    h.do({ type: 'pauseChanged', node: 'm0', paused: false });
    assert.deepEqual(h.sent(), ['a']);
  });
});

describe('scheduler core: failures', () => {
  it('FAIL records the reason and the queue moves on', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.do({ type: 'jobDelivered', jobId: 'a' });
    h.status('a', 'FAIL', 'target not allowed');
    assert.equal(h.job('a').state, 'failed');
    assert.equal(h.job('a').reason, 'target not allowed');
    assert.deepEqual(h.sent(), ['a', 'b']);
  });

  it('re-runs a failed job only by its retry count', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0', 1, { retries: 1 }));
    for (let run = 1; run <= 2; run++) {
      h.status('a', 'STARTED');
      h.status('a', 'FAIL', `boom ${run}`);
    }
    assert.equal(h.job('a').state, 'failed');
    assert.equal(h.job('a').attempts, 2);
    assert.deepEqual(h.sent(), ['a', 'a']);
  });

  it('an unreachable node is retried with backoff, marked down, keeps its queue, and runs it when back', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    for (let i = 0; i < 3; i++) {
      const [send] = h.effects.filter((e) => e.type === 'sendJob').slice(-1) as Array<{ jobId: string }>;
      h.do({ type: 'deliveryFailed', jobId: send!.jobId, reason: 'ECONNREFUSED' });
      h.t += 10_000;
      h.do({ type: 'ticked' });
    }
    const node = h.core.state.nodes.get('m0')!;
    assert.equal(node.health, 'down');
    assert.equal(h.job('a').state, 'sent');
    assert.equal(h.core.pendingCount('m0'), 1);
    assert.deepEqual(h.runAll(), ['a', 'b']);
    assert.equal(node.health, 'up');
    assert.ok(h.effects.some((e) => e.type === 'log' && /is back up/.test(e.message)));
  });

  it('does not retry a node before its backoff has passed', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'));
    h.do({ type: 'deliveryFailed', jobId: 'a', reason: 'ECONNREFUSED' });
    h.t += 100;
    h.do({ type: 'ticked' });
    assert.deepEqual(h.sent(), ['a']);
    h.t += 200;
    h.do({ type: 'ticked' });
    assert.deepEqual(h.sent(), ['a', 'a']);
  });

  it('a started job with no final status by w + t + grace is lost, and the queue moves on', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.status('a', 'STARTED');
    h.t += (1 + 2 + 5) * 1000 + 1;
    h.do({ type: 'ticked' });
    assert.equal(h.job('a').state, 'lost');
    assert.match(h.job('a').reason, /no final status within w \+ t \+ 5 s/);
    assert.deepEqual(h.sent(), ['a', 'b']);
  });

  it('a job that was sent but never started is sent again, then lost', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'));
    for (let i = 0; i < 3; i++) {
      h.t += 9000;
      h.do({ type: 'ticked' });
    }
    assert.deepEqual(h.sent(), ['a', 'a', 'a']);
    assert.equal(h.job('a').state, 'lost');
    assert.match(h.job('a').reason, /never started/);
  });

  it('ignores a duplicate final status', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.status('a', 'STARTED');
    h.status('a', 'SUCCESS');
    h.status('a', 'FAIL', 'late');
    assert.equal(h.job('a').state, 'succeeded');
    assert.equal(h.job('b').state, 'sent');
  });
});

describe('scheduler core: legacy statuses, cancel, recovery', () => {
  it('matches a legacy status to the candidate node that was sent a job first', () => {
    const h = new Harness().node('m0').node('m1', '127.0.0.1', 1731);
    h.jobs(job('a', 'm0'));
    h.t += 5;
    h.jobs(job('b', 'm1'));
    h.status('', 'STARTED', '', ['m0', 'm1']);
    h.status('', 'SUCCESS', '', ['m0', 'm1']);
    assert.equal(h.job('a').state, 'succeeded');
    assert.equal(h.job('b').state, 'sent');
  });

  it('cancels a pending job without sending it', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'), job('c', 'm0'));
    h.do({ type: 'cancelRequested', jobId: 'b' });
    assert.equal(h.core.pendingCount('m0'), 1);
    assert.deepEqual(h.runAll(), ['a', 'c']);
    assert.equal(h.job('b').state, 'cancelled');
  });

  it('cancels a running job: tells the node, and frees it when the node reports', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.status('a', 'STARTED');
    const effects = h.do({ type: 'cancelRequested', jobId: 'a' });
    assert.deepEqual(effects.filter((e) => e.type === 'cancelJob'), [{ type: 'cancelJob', node: 'm0', jobId: 'a' }]);
    assert.deepEqual(h.sent(), ['a']);
    h.status('a', 'FAIL', 'cancelled');
    assert.equal(h.job('a').state, 'cancelled');
    assert.deepEqual(h.sent(), ['a', 'b']);
  });

  it('rebuilds queues and running jobs from saved state and gives running jobs time for a late status', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0', 2), job('b', 'm0', 1), job('c', 'm0', 3));
    h.status('b', 'STARTED');
    const saved = structuredClone(h.core.state);
    const again = new Harness(saved);
    again.t = h.t + 60_000;
    again.do({ type: 'recovered' });
    assert.deepEqual(again.sent(), [], 'must not send while b may still run');
    assert.equal(again.job('b').deadline, again.t + 15_000);
    again.status('b', 'SUCCESS');
    assert.deepEqual(again.runAll(), ['a', 'c']);
  });

  it('reports every record it changed, for persistence', () => {
    const h = new Harness().node('m0');
    const result = h.core.handle({ type: 'jobsAdded', jobs: [job('a', 'm0'), job('b', 'm0')], now: 0 });
    assert.deepEqual(result.changedJobs.map((j) => `${j.id}:${j.state}`).sort(), ['a:sent', 'b:pending']);
  });
});

describe('scheduler core: a final state is recorded once; late results', () => {
  /** Runs `a` on m0 until it is declared lost: started, then silent past w + t + timeout. */
  const lostJob = (h: Harness, id = 'a'): void => {
    h.status(id, 'STARTED');
    h.t += 8001;
    h.do({ type: 'ticked' });
    assert.equal(h.job(id).state, 'lost');
  };
  const finishedEffects = (h: Harness, id: string) => h.effects.filter((e) => e.type === 'jobFinished' && e.jobId === id);
  const stats = { tx_packets: 10, tx_mbps: 9.5 } as Stats;

  const cases: Array<[string, 'SUCCESS' | 'FAIL', string, Stats | undefined]> = [
    ['a late SUCCESS and its statistics', 'SUCCESS', '', stats],
    ['a late FAIL and its reason', 'FAIL', 'emitter crashed', undefined],
  ];
  for (const [what, type, reason, withStats] of cases) {
    it(`keeps ${what} beside a lost job, which stays lost and finished once`, () => {
      const h = new Harness().node('m0');
      h.jobs(job('a', 'm0'), job('b', 'm0'));
      lostJob(h);
      const lostReason = h.job('a').reason;
      h.t += 500;
      const result = h.core.handle({ type: 'statusReceived', jobId: 'a', candidates: [], status: type, reason, stats: withStats, now: h.t });
      h.effects.push(...result.effects);
      const a = h.job('a');
      assert.equal(a.state, 'lost');
      assert.equal(a.reason, lostReason);
      assert.equal(a.stats, undefined, 'the job\'s own result stays empty');
      assert.deepEqual(a.late, { type, reason, at: h.t, ...(withStats ? { stats: withStats } : {}) });
      assert.deepEqual(result.changedJobs.map((j) => j.id), ['a'], 'the late result is saved');
      assert.deepEqual(finishedEffects(h, 'a'), [{ type: 'jobFinished', jobId: 'a', state: 'lost' }]);
      assert.ok(result.effects.some((e) => e.type === 'log' && e.level === 'warn' &&
        e.message === `late ${type} for job a after it was declared lost: kept as a late result`));
      assert.equal(h.job('b').state, 'sent', 'the node has moved on; the late result does not touch its job');
      assert.equal(h.core.currentJob('m0')?.id, 'b');
    });
  }

  it('keeps the first late result only', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'));
    lostJob(h);
    h.status('a', 'SUCCESS');
    const effects = h.status('a', 'FAIL', 'again');
    assert.equal(h.job('a').late?.type, 'SUCCESS');
    assert.ok(effects.some((e) => e.type === 'log' && /another late FAIL for job a \(a late SUCCESS is kept\): ignored/.test(e.message)));
  });

  it('keeps a late result of a job lost because it was never started', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'));
    for (let i = 0; i < 3; i++) {
      h.t += 9000;
      h.do({ type: 'ticked' });
    }
    assert.equal(h.job('a').state, 'lost');
    h.status('a', 'STARTED');
    assert.equal(h.job('a').state, 'lost', 'a late STARTED changes nothing');
    h.status('a', 'SUCCESS');
    assert.equal(h.job('a').late?.type, 'SUCCESS');
    assert.equal(finishedEffects(h, 'a').length, 1);
  });

  it('ignores a final status for a job that already succeeded or failed, late result or not', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'));
    h.status('a', 'STARTED');
    h.status('a', 'FAIL', 'boom');
    h.status('a', 'SUCCESS');
    assert.equal(h.job('a').state, 'failed');
    assert.equal(h.job('a').late, undefined);
  });

  describe('with retries: each run has its own id, and the last run decides', () => {
    const runStatus = (h: Harness, run: number, status: 'STARTED' | 'SUCCESS' | 'FAIL', reason = '') =>
      h.do({ type: 'statusReceived', jobId: 'a', run, candidates: [], status, reason });
    /** Starts run `run` of job a and lets it go silent until it is declared lost. */
    const loseRun = (h: Harness, run: number): void => {
      runStatus(h, run, 'STARTED');
      h.t += 8001;
      h.do({ type: 'ticked' });
    };

    it('re-runs a lost job as its next run; a result of the lost run is ignored, the re-run decides', () => {
      const h = new Harness().node('m0');
      h.jobs(job('a', 'm0', 1, { retries: 1 }));
      loseRun(h, 1);
      assert.deepEqual([h.job('a').state, h.job('a').run], ['sent', 2]);
      runStatus(h, 1, 'STARTED');
      assert.equal(h.job('a').state, 'sent', 'a STARTED of run 1 does not start run 2');
      const effects = runStatus(h, 1, 'SUCCESS');
      assert.equal(h.job('a').state, 'sent', 'nor does its SUCCESS end it');
      assert.equal(h.job('a').late, undefined);
      assert.ok(effects.some((e) => e.type === 'log' && e.message === 'SUCCESS for run 1 of job a, which is on run 2: ignored'));
      runStatus(h, 2, 'STARTED');
      runStatus(h, 2, 'FAIL', 'boom');
      assert.deepEqual([h.job('a').state, h.job('a').reason, h.job('a').attempts], ['failed', 'boom', 2]);
      assert.deepEqual(h.sent(), ['a', 'a']);
      assert.equal(h.effects.filter((e) => e.type === 'jobFinished').length, 1);
    });

    it('keeps a late result of the last run only, once every run was lost', () => {
      const h = new Harness().node('m0');
      h.jobs(job('a', 'm0', 1, { retries: 1 }));
      loseRun(h, 1);
      loseRun(h, 2);
      assert.deepEqual([h.job('a').state, h.job('a').run], ['lost', 2]);
      runStatus(h, 1, 'SUCCESS');
      assert.equal(h.job('a').late, undefined, 'run 1 was superseded by run 2');
      runStatus(h, 2, 'FAIL', 'late and failed');
      assert.deepEqual(h.job('a').late, { type: 'FAIL', reason: 'late and failed', at: h.t });
      assert.equal(h.job('a').state, 'lost');
    });

    it('a run sent again because it never started keeps its run (and id): the node may hold it already', () => {
      const h = new Harness().node('m0');
      h.jobs(job('a', 'm0', 1, { retries: 2 }));
      h.t += 9000;
      h.do({ type: 'ticked' });
      assert.deepEqual([h.job('a').state, h.job('a').run, h.job('a').sends], ['sent', 1, 2]);
      h.do({ type: 'deliveryFailed', jobId: 'a', reason: 'no session' });
      h.t += 1000;
      h.do({ type: 'ticked' });
      assert.equal(h.job('a').run, 1);
      runStatus(h, 1, 'STARTED');
      assert.equal(h.job('a').state, 'running');
    });
  });
});

describe('scheduler core: legacy statuses out of order', () => {
  // A legacy status names no job: it is matched by source address, here m0's. The status port's
  // listeners accept out of order, so a job's STARTED may come after its SUCCESS or FAIL.
  // Steps: S = STARTED, OK = SUCCESS, FAIL, +N = N ms pass (and a tick).
  const cases: Array<[string, number, string[], JobRecord['state'][], number]> = [
    ['in order', 2, ['S', 'OK', 'S', 'OK'], ['succeeded', 'succeeded'], 0],
    ['a SUCCESS before its STARTED ends the job all the same', 2, ['OK'], ['succeeded', 'sent'], 0],
    ['the late STARTED does not mark the next job running', 2, ['OK', 'S'], ['succeeded', 'sent'], 0],
    ['the next STARTED after the late one does', 2, ['OK', 'S', 'S'], ['succeeded', 'running'], 0],
    ['a FAIL before its STARTED: the same', 2, ['FAIL', 'S'], ['failed', 'sent'], 0],
    ['the next job\'s SUCCESS too before either STARTED', 2, ['OK', 'OK', 'S', 'S'], ['succeeded', 'succeeded'], 0],
    ['a late STARTED after the last job is absorbed, not warned about', 1, ['OK', 'S'], ['succeeded'], 0],
    ['a STARTED owed longer than legacyReorderMs is no longer waited for', 2, ['OK', '+6000', 'S'], ['succeeded', 'running'], 0],
    ['a STARTED that matches nothing is still warned about', 1, ['S', 'OK', 'S'], ['succeeded'], 1],
  ];
  for (const [name, count, steps, states, warnings] of cases) {
    it(`${name}: ${steps.join(' ')} -> ${states.join(', ')}`, () => {
      const h = new Harness().node('m0');
      const ids = ['a', 'b'].slice(0, count);
      h.jobs(...ids.map((id) => job(id, 'm0')));
      for (const step of steps) {
        if (step.startsWith('+')) {
          h.t += Number(step.slice(1));
          h.do({ type: 'ticked' });
        } else {
          h.t += 1;
          h.status('', step === 'S' ? 'STARTED' : step === 'OK' ? 'SUCCESS' : 'FAIL', '', ['m0']);
        }
      }
      assert.deepEqual(ids.map((id) => h.job(id).state), states);
      const warned = h.effects.filter((e) => e.type === 'log' && /matches no job that is running/.test(e.message));
      assert.equal(warned.length, warnings, JSON.stringify(warned));
      assert.deepEqual(h.effects.filter((e) => e.type === 'jobFinished').map((e) => (e as { jobId: string }).jobId),
        ids.filter((id) => h.job(id).state === 'succeeded' || h.job(id).state === 'failed'), 'each job ends once');
    });
  }

  it('counts a run that ended without its STARTED', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'));
    h.status('', 'SUCCESS', '', ['m0']);
    h.status('', 'STARTED', '', ['m0']);
    assert.equal(h.job('a').attempts, 1);
  });

  it('keeps the count per node when nodes share an address', () => {
    const h = new Harness().node('m0', '127.0.0.1', 1729).node('m1', '127.0.0.1', 1731);
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.t += 5;
    h.jobs(job('c', 'm1'));
    const both = ['m0', 'm1'];
    h.status('', 'SUCCESS', '', both); // a's, the first sent
    h.status('', 'STARTED', '', both); // a's, late: absorbed
    assert.deepEqual(['a', 'b', 'c'].map((id) => h.job(id).state), ['succeeded', 'sent', 'sent']);
    h.status('', 'STARTED', '', both); // c's (sent before b)
    h.status('', 'STARTED', '', both); // b's
    assert.deepEqual(['a', 'b', 'c'].map((id) => h.job(id).state), ['succeeded', 'running', 'running']);
  });
});

describe('scheduler core: retention of finished jobs', () => {
  /** Ids of the jobs the core holds, in seq order. */
  const held = (h: Harness) => [...h.core.state.jobs.values()].sort((a, b) => a.seq - b.seq).map((j) => j.id);

  // b, a, c run in priority order, so finish order differs from seq (file) order.
  const countCases: Array<[string, number, string[], string[]]> = [
    ['holds every finished job up to keepJobs', 3, [], ['a', 'b', 'c']],
    ['removes the first to finish beyond keepJobs, not the first queued', 2, ['b'], ['a', 'c']],
    ['keepJobs 1 holds the last to finish', 1, ['b', 'a'], ['c']],
    ['keepJobs 0 removes each job as it finishes', 0, ['b', 'a', 'c'], []],
  ];
  for (const [name, keepJobs, removed, kept] of countCases) {
    it(name, () => {
      const h = new Harness(emptyState(), { keepJobs }).node('m0');
      h.jobs(job('a', 'm0', 2), job('b', 'm0', 1), job('c', 'm0', 3));
      assert.deepEqual(h.runAll(), ['b', 'a', 'c']);
      assert.deepEqual(h.removed, removed);
      assert.deepEqual(held(h), kept);
    });
  }

  it('removes a finished job once it is older than keepForMs, on a tick', () => {
    const h = new Harness(emptyState(), { keepForMs: 1000 }).node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.runAll(1); // a finishes at 0
    h.t = 600;
    h.runAll(1); // b finishes at 600
    const steps: Array<[number, string[]]> = [[1000, ['a', 'b']], [1001, ['b']], [1600, ['b']], [1601, []]];
    for (const [t, kept] of steps) {
      h.t = t;
      h.do({ type: 'ticked' });
      assert.deepEqual(held(h), kept, `at ${t} ms`);
    }
    assert.deepEqual(h.removed, ['a', 'b']);
  });

  it('never removes a pending, sent or running job, nor one queued to run again', () => {
    const h = new Harness(emptyState(), { keepJobs: 0, keepForMs: 0 }).node('m0').node('m1', '127.0.0.1', 1731).node('m2', '127.0.0.1', 1732);
    h.do({ type: 'pauseChanged', node: 'm2', paused: true });
    h.jobs(job('run', 'm0'), job('wait', 'm0'), job('sent', 'm1'), job('retry', 'm1', 2, { retries: 1 }), job('paused', 'm2'));
    h.status('run', 'STARTED');
    h.t += 5000;
    h.do({ type: 'ticked' });
    assert.deepEqual(h.removed, []);
    assert.deepEqual(held(h).map((id) => `${id}:${h.job(id).state}`), ['run:running', 'wait:pending', 'sent:sent', 'retry:pending', 'paused:pending']);
    h.status('sent', 'STARTED');
    h.status('sent', 'SUCCESS');
    h.status('retry', 'STARTED');
    h.status('retry', 'FAIL', 'boom');
    assert.equal(h.job('retry').state, 'sent', 'a failed job with a retry left runs again');
    assert.deepEqual(h.removed, ['sent']);
    h.status('retry', 'STARTED');
    h.status('retry', 'FAIL', 'boom again');
    assert.deepEqual(h.removed, ['sent', 'retry']);
  });

  it('holds a cancelled job its node still runs until the node lets it go', () => {
    const h = new Harness(emptyState(), { keepJobs: 0 }).node('m0').node('m1', '127.0.0.1', 1731);
    h.jobs(job('a', 'm0'), job('b', 'm1'));
    h.status('a', 'STARTED');
    h.status('b', 'STARTED');
    h.do({ type: 'cancelRequested', jobId: 'a' });
    h.do({ type: 'cancelRequested', jobId: 'b' });
    assert.deepEqual(h.removed, [], 'both still run on their nodes');
    assert.equal(h.core.currentJob('m0')?.id, 'a');
    h.status('a', 'FAIL', 'cancelled');
    assert.deepEqual(h.removed, ['a']);
    h.t += 8001; // b's node never answers: its deadline frees the node
    h.do({ type: 'ticked' });
    assert.deepEqual(h.removed, ['a', 'b']);
    assert.equal(h.core.currentJob('m1'), undefined);
  });

  it('dates a lost job by when it was lost, not by a late result', () => {
    const h = new Harness(emptyState(), { keepForMs: 10_000 }).node('m0');
    h.jobs(job('a', 'm0'));
    h.status('a', 'STARTED');
    h.t = 8001;
    h.do({ type: 'ticked' });
    assert.equal(h.job('a').state, 'lost');
    h.t = 15_000;
    h.status('a', 'SUCCESS');
    h.t = 18_001;
    h.do({ type: 'ticked' });
    assert.equal(h.job('a').late?.type, 'SUCCESS', 'held 10 s after it was lost');
    h.t = 18_002;
    h.do({ type: 'ticked' });
    assert.deepEqual(h.removed, ['a']);
  });

  it('counts a lost job once against keepJobs when a late result comes', () => {
    const h = new Harness(emptyState(), { keepJobs: 2 }).node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'), job('c', 'm0'));
    h.status('a', 'STARTED');
    h.t = 8001;
    h.do({ type: 'ticked' });
    h.status('a', 'SUCCESS');
    h.runAll();
    assert.deepEqual(h.removed, ['a'], 'a finished first (lost), and once');
    assert.deepEqual(held(h), ['b', 'c']);
  });

  it('applies retention to saved state on recovery, oldest finish first', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0', 3), job('b', 'm0', 1), job('c', 'm0', 2), job('d', 'm0', 4), job('e', 'm0', 5));
    for (let i = 0; i < 4; i++) {
      h.t += 100;
      h.runAll(1);
    }
    assert.deepEqual(held(h).map((id) => h.job(id).state), ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'sent']);
    const again = new Harness(structuredClone(h.core.state), { keepJobs: 2 });
    assert.equal(again.core.state.jobs.size, 5, 'loading removes nothing');
    again.t = h.t;
    again.do({ type: 'recovered' });
    assert.deepEqual(again.removed, ['b', 'c']);
    assert.deepEqual(held(again), ['a', 'd', 'e']);
  });

  it('reports removed ids in the step that removed them, and does not also write those jobs', () => {
    const h = new Harness(emptyState(), { keepJobs: 0 }).node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'));
    h.status('a', 'STARTED');
    const result = h.core.handle({ type: 'statusReceived', jobId: 'a', candidates: [], status: 'SUCCESS', reason: '', now: 1 });
    assert.deepEqual(result.removedJobs, ['a']);
    assert.deepEqual(result.changedJobs.map((j) => `${j.id}:${j.state}`), ['b:sent']);
    assert.ok(result.effects.some((e) => e.type === 'jobFinished' && e.jobId === 'a'));
    assert.equal(h.core.state.jobs.has('a'), false);
  });

  describe('sessions', () => {
    it('a lost session marks the node down at once and keeps its queue; reaching it again sends the next job', () => {
      const h = new Harness().node('m0');
      h.jobs(job('a', 'm0'), job('b', 'm0'));
      h.do({ type: 'jobDelivered', jobId: 'a' });
      h.status('a', 'STARTED');
      h.t = 1000;
      h.do({ type: 'nodeLost', node: 'm0', reason: 'no frame for 3 s' });
      assert.equal(h.core.state.nodes.get('m0')!.health, 'down');
      assert.ok(h.effects.some((e) => e.type === 'log' && e.level === 'error' && /node m0 .* is down: no frame for 3 s/.test(e.message)));
      h.status('a', 'SUCCESS', '', []);
      assert.equal(h.core.state.jobs.get('b')!.state, 'pending', 'no job goes to a node that is down');
      h.t = 1500;
      const effects = h.do({ type: 'nodeReached', node: 'm0' });
      assert.equal(h.core.state.nodes.get('m0')!.health, 'up');
      assert.deepEqual(effects.filter((e) => e.type === 'sendJob'), [{ type: 'sendJob', node: 'm0', jobId: 'b' }]);
    });

    it("ignores a status that names another node's job", () => {
      const h = new Harness().node('m0').node('m1', '127.0.0.1', 1731);
      h.jobs(job('a', 'm0'));
      h.do({ type: 'jobDelivered', jobId: 'a' });
      const effects = h.do({ type: 'statusReceived', jobId: 'a', candidates: ['m1'], status: 'SUCCESS', reason: '', via: 'm1' });
      assert.equal(h.core.state.jobs.get('a')!.state, 'sent');
      assert.ok(effects.some((e) => e.type === 'log' && /for job a of node m0 came on node m1's session: ignored/.test(e.message)));
      h.do({ type: 'statusReceived', jobId: 'a', candidates: ['m0'], status: 'SUCCESS', reason: '', via: 'm0' });
      assert.equal(h.core.state.jobs.get('a')!.state, 'succeeded');
    });
  });
});

describe('scheduler core: down time, waiting counts, removing nodes and cancelling theirs', () => {
  const logs = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'log' ? [e.message] : []));
  /** m0 with jobs a (sent), b and c (queued); then m0 goes down at t = 5000. */
  const downWithThree = (how: 'session' | 'delivery') => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0'), job('b', 'm0'), job('c', 'm0'));
    if (how === 'session') {
      h.t = 5000;
      h.do({ type: 'nodeLost', node: 'm0', reason: 'connection refused' });
      return h;
    }
    // Three failed deliveries of a, each retried once its backoff passed: down at the third.
    for (const t of [1000, 3000, 5000]) {
      h.t = t;
      h.do({ type: 'ticked' });
      h.do({ type: 'deliveryFailed', jobId: 'a', reason: 'ECONNREFUSED' });
    }
    return h;
  };

  const counts: Array<[string, 'session' | 'delivery', EventInput, RegExp]> = [
    ['a lost session, then the session back', 'session', { type: 'nodeReached', node: 'm0' }, /^node m0 is back up with 3 job\(s\) waiting$/],
    // The job sent when the node answered waited too: it was counted out once (issue 11: "1 job(s)" when 2 waited).
    ['failed deliveries, then a delivery that worked', 'delivery', { type: 'jobDelivered', jobId: 'a' }, /^node m0 is back up with 3 job\(s\) waiting$/],
  ];
  for (const [name, how, back, expected] of counts) {
    it(`${name}: counts every job waiting, down and back up, and knows since when it was down`, () => {
      const h = downWithThree(how);
      assert.ok(logs(h.effects).some((line) => /is down: .*; its 3 job\(s\) wait/.test(line)), logs(h.effects).join('\n'));
      const node = h.core.state.nodes.get('m0')!;
      assert.equal(node.downSince, 5000);
      assert.equal(h.core.openCount('m0'), 3);
      h.t = 9000;
      if (back.type === 'jobDelivered') h.do({ type: 'ticked' });
      const effects = h.do(back);
      assert.ok(logs(effects).some((line) => expected.test(line)), logs(effects).join('\n'));
      assert.equal(node.health, 'up');
      assert.equal('downSince' in node, false);
    });
  }

  it('says how many jobs come before each queued job on its node: queued ahead by priority and seq, and the one running', () => {
    const h = new Harness().node('m0').node('m1', '127.0.0.1', 1731);
    h.jobs(job('run', 'm0', 0), job('p5', 'm0', 5), job('p1a', 'm0', 1), job('p1b', 'm0', 1), job('x', 'm1', 3));
    const jobs = ['p5', 'p1a', 'p1b', 'x', 'run'].map((id) => h.job(id));
    assert.deepEqual(Object.fromEntries(h.core.queuedAhead(jobs)), { p1a: 1, p1b: 2, p5: 3 });
    // m1 is busy with x: nothing queued there.
    h.jobs(job('y', 'm1', 0));
    assert.deepEqual(Object.fromEntries(h.core.queuedAhead([h.job('y')])), { y: 1 });
  });

  const removals: Array<{ name: string; setup: (h: Harness) => void; stopped: string | undefined; cancelled: string[] }> = [
    { name: 'a node with a running job and two queued', setup: (h) => { h.do({ type: 'jobDelivered', jobId: 'a' }); h.status('a', 'STARTED'); }, stopped: 'a', cancelled: ['a', 'b', 'c'] },
    { name: 'a node whose running job was cancelled before', setup: (h) => { h.do({ type: 'cancelRequested', jobId: 'a' }); }, stopped: undefined, cancelled: ['b', 'c'] },
    { name: 'a paused node with its jobs queued', setup: (h) => { h.do({ type: 'pauseChanged', node: 'm0', paused: true }); h.do({ type: 'cancelRequested', jobId: 'a' }); h.status('a', 'FAIL', 'cancelled'); }, stopped: undefined, cancelled: ['b', 'c'] },
  ];
  for (const { name, setup, stopped, cancelled } of removals) {
    it(`removes ${name}: open jobs cancelled with the reason, the node gone, its slot let go`, () => {
      const h = new Harness().node('m0').node('m1', '127.0.0.1', 1731);
      h.jobs(job('a', 'm0'), job('b', 'm0'), job('c', 'm0'), job('other', 'm1'));
      setup(h);
      h.t = 7000;
      const result = h.core.handle({ type: 'nodeRemoved', node: 'm0', now: h.t });
      assert.deepEqual(result.removedNodes, ['m0']);
      assert.equal(h.core.state.nodes.has('m0'), false);
      const finished = result.effects.flatMap((e) => (e.type === 'jobFinished' && e.state === 'cancelled' ? [e.jobId] : []));
      assert.deepEqual(finished.sort(), cancelled);
      for (const id of cancelled) assert.deepEqual([h.job(id).state, h.job(id).reason, h.job(id).finishedAt], ['cancelled', 'node m0 removed', 7000]);
      const forget = result.effects.find((e) => e.type === 'forgetNode');
      assert.deepEqual(forget && { node: forget.node.name, stopJob: forget.stopJob }, { node: 'm0', stopJob: stopped });
      assert.equal(result.effects.some((e) => e.type === 'cancelJob'), false, 'the node is asked through forgetNode, which carries its address');
      assert.equal(h.core.currentJob('m0'), undefined);
      assert.equal(h.core.openCount('m0'), 0);
      assert.equal(h.job('other').state, 'sent', 'other nodes are untouched');
      assert.equal(h.core.isDrained(), false);
      // Its late FAIL "cancelled" changes nothing; a job for it is not queued; the name can be taken again.
      h.status('a', 'FAIL', 'cancelled', ['m0']);
      assert.equal(h.job('a').reason, stopped ? 'node m0 removed' : h.job('a').reason);
      assert.match(JSON.stringify(h.jobs(job('late', 'm0'))), /unknown node m0/);
      h.node('m0', '127.0.0.1', 1740);
      h.jobs(job('fresh', 'm0'));
      assert.equal(h.job('fresh').state, 'sent');
    });
  }

  it('removing a node it does not know changes nothing', () => {
    const h = new Harness().node('m0');
    const result = h.core.handle({ type: 'nodeRemoved', node: 'nope', now: 1 });
    assert.deepEqual([result.effects, result.removedNodes, result.changedJobs], [[], [], []]);
  });

  const cancelNode: Array<[string, (h: Harness) => void, string[], boolean]> = [
    ['its running job (asked to stop) and its queued ones', (h) => { h.do({ type: 'jobDelivered', jobId: 'a' }); h.status('a', 'STARTED'); }, ['a', 'b', 'c'], true],
    ['its sent job and its queued ones', () => undefined, ['a', 'b', 'c'], true],
    ['only its queued ones when the job it runs was cancelled before', (h) => h.do({ type: 'cancelRequested', jobId: 'a' }), ['b', 'c'], false],
  ];
  for (const [name, setup, cancelled, stops] of cancelNode) {
    it(`cancels every job of a node: ${name}; the node stays and takes new jobs once free`, () => {
      const h = new Harness().node('m0').node('m1', '127.0.0.1', 1731);
      h.jobs(job('a', 'm0'), job('b', 'm0'), job('c', 'm0'), job('other', 'm1'));
      setup(h);
      const effects = h.do({ type: 'nodeCancelRequested', node: 'm0' });
      const finished = effects.flatMap((e) => (e.type === 'jobFinished' ? [`${e.jobId}:${e.state}`] : []));
      assert.deepEqual(finished.sort(), cancelled.map((id) => `${id}:cancelled`));
      for (const id of cancelled) assert.equal(h.job(id).reason, 'cancelled with every job of node m0');
      assert.deepEqual(effects.filter((e) => e.type === 'cancelJob'), stops ? [{ type: 'cancelJob', node: 'm0', jobId: 'a' }] : []);
      assert.ok(h.core.state.nodes.has('m0'));
      assert.equal(h.job('other').state, 'sent');
      // The node frees its slot with FAIL "cancelled"; the next job goes to it.
      h.status('a', 'FAIL', 'cancelled');
      h.jobs(job('d', 'm0'));
      assert.equal(h.job('d').state, 'sent');
    });
  }
});

describe('scheduler core: expectations, checked when the SUCCESS arrives', () => {
  const lossy = { tx_packets: 1000, rx_packets: 977, loss_ratio: 0.023, rx_measured: true, tx_mbps: 10, requested_mbps: 10 } as Stats;
  const clean = { ...lossy, rx_packets: 1000, loss_ratio: 0 } as Stats;
  const succeed = (h: Harness, id: string, stats: Stats): Effect[] => {
    h.do({ type: 'jobDelivered', jobId: id });
    h.status(id, 'STARTED');
    return h.do({ type: 'statusReceived', jobId: id, candidates: [], status: 'SUCCESS', reason: '', stats });
  };

  it('a run that misses one ends failed, naming it and the measured value, with its stats kept; it is not re-run', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0', 1, { expect: { maxLossPct: 0.1 }, retries: 2 }), job('b', 'm0'));
    const effects = succeed(h, 'a', lossy);
    const a = h.job('a');
    assert.equal(a.state, 'failed');
    assert.equal(a.reason, 'expectation max_loss 0.1% missed: loss 2.3%');
    assert.deepEqual(a.stats, lossy);
    assert.equal(a.run, 1, 'a verdict is not retried');
    assert.ok(effects.some((e) => e.type === 'jobFinished' && e.jobId === 'a' && e.state === 'failed'));
    // The node is free for its next job at once.
    assert.ok(effects.some((e) => e.type === 'sendJob' && e.jobId === 'b'));
  });

  it('a run that meets them succeeds', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0', 1, { expect: { maxLossPct: 0.1, minRatePct: 99 } }));
    succeed(h, 'a', clean);
    assert.equal(h.job('a').state, 'succeeded');
    assert.equal(h.job('a').reason, '');
  });

  it('a figure the run did not measure fails the job, saying so', () => {
    const h = new Harness().node('m0');
    h.jobs(job('a', 'm0', 1, { expect: { maxLossPct: 100 } }));
    succeed(h, 'a', { ...clean, rx_measured: false, rx_packets: 0 });
    assert.equal(h.job('a').state, 'failed');
    assert.match(h.job('a').reason, /^expectation max_loss 100% not measured: /);
  });
});
