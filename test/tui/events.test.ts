import assert from 'node:assert/strict';
import type { JobInfo, NodeInfo, Snapshot } from '../../src/protocol/view.js';
import { appendLog, deriveEvents, type LogEntry } from '../../src/tui/events.js';
import { job, node, snapshot, stats } from './fixtures.js';

const NOW = 1_700_000_100_000;
const one = (nodes: NodeInfo[], jobs: JobInfo[] = []): Snapshot => snapshot(nodes, jobs);
const running = job('j1', 'm0', { state: 'running', started_at: NOW - 500 });

describe('tui/events deriveEvents', () => {
  const cases: Array<{ name: string; prev: Snapshot | undefined; next: Snapshot; events: Array<Pick<LogEntry, 'level' | 'text'>> }> = [
    { name: 'nothing before the first snapshot', prev: undefined, next: one([node('m0')], [running]), events: [] },
    { name: 'nothing when nothing changed', prev: one([node('m0')], [running]), next: one([node('m0')], [running]), events: [] },
    {
      name: 'jobs queued, counted per node',
      prev: one([node('m0'), node('m1')]),
      next: one([node('m0'), node('m1')], [job('j1', 'm0'), job('j2', 'm0'), job('j3', 'm1')]),
      events: [{ level: 'info', text: '2 jobs queued on m0' }, { level: 'info', text: '1 job queued on m1' }],
    },
    {
      name: 'a job started',
      prev: one([node('m0')], [job('j1', 'm0')]), next: one([node('m0')], [running]),
      events: [{ level: 'info', text: 'j1 started on m0' }],
    },
    {
      name: 'a job succeeded, with its result in brief',
      prev: one([node('m0')], [running]),
      next: one([node('m0')], [{ ...running, state: 'succeeded', finished_at: NOW, stats: stats({ rx_measured: true, loss_ratio: 0.002 }) }]),
      events: [{ level: 'info', text: 'j1 succeeded on m0: 20.0 Mb/s, loss 0.200%' }],
    },
    {
      name: 'a job that started and ended between two polls is reported once',
      prev: one([node('m0')], [job('j1', 'm0')]),
      next: one([node('m0')], [{ ...running, state: 'succeeded', finished_at: NOW, stats: stats() }]),
      events: [{ level: 'info', text: 'j1 succeeded on m0: 20.0 Mb/s' }],
    },
    {
      name: 'failed, lost and cancelled jobs with their reasons',
      prev: one([node('m0')], [running, job('j2', 'm0'), job('j3', 'm0')]),
      next: one([node('m0')], [
        { ...running, state: 'failed', reason: 'emitter exited 3', finished_at: NOW },
        job('j2', 'm0', { state: 'lost', reason: 'no status within w + t + 30 s', finished_at: NOW }),
        job('j3', 'm0', { state: 'cancelled', finished_at: NOW }),
      ]),
      events: [
        { level: 'error', text: 'j1 failed on m0: emitter exited 3' },
        { level: 'error', text: 'j2 lost on m0: no status within w + t + 30 s' },
        { level: 'info', text: 'j3 cancelled on m0' },
      ],
    },
    {
      name: 'nodes down, up, paused, resumed and added',
      prev: one([node('m0'), node('m1', { health: 'down' }), node('m2', { health: 'unknown' }), node('m3', { paused: true })]),
      next: one([node('m0', { health: 'down', paused: true }), node('m1'), node('m2'), node('m3'), node('m4', { port: 1800 })]),
      events: [
        { level: 'warn', text: 'node m0 down' },
        { level: 'info', text: 'node m0 paused' },
        { level: 'info', text: 'node m1 up' },
        { level: 'info', text: 'node m2 up' },
        { level: 'info', text: 'node m3 resumed' },
        { level: 'info', text: 'node m4 added (127.0.0.1:1800)' },
      ],
    },
    { name: 'a node whose health becomes unknown again is not news', prev: one([node('m0')]), next: one([node('m0', { health: 'unknown' })]), events: [] },
    {
      name: 'the scheduler cannot save its state: said in the first snapshot already',
      prev: undefined, next: { ...one([node('m0')]), store_error: 'cannot save its state since T (disk full)' },
      events: [{ level: 'error', text: 'the scheduler cannot save its state since T (disk full)' }],
    },
    {
      name: 'the store starts failing',
      prev: one([node('m0')]), next: { ...one([node('m0')]), store_error: 'cannot save its state since T (disk full)' },
      events: [{ level: 'error', text: 'the scheduler cannot save its state since T (disk full)' }],
    },
    { name: 'a store still failing is not news', prev: { ...one([node('m0')]), store_error: 'x' }, next: { ...one([node('m0')]), store_error: 'x; 3 changes' }, events: [] },
    { name: 'a store saving again', prev: { ...one([node('m0')]), store_error: 'x' }, next: one([node('m0')]), events: [{ level: 'info', text: 'the scheduler saves its state again' }] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(deriveEvents(c.prev, c.next, NOW).map(({ level, text }) => ({ level, text })), c.events);
    });
  }

  it('dates job events by the job, oldest first', () => {
    const prev = one([node('m0'), node('m1')], [job('a', 'm0'), job('b', 'm1')]);
    const next = one([node('m0', { health: 'down' }), node('m1')], [
      job('a', 'm0', { state: 'running', started_at: NOW - 100 }),
      job('b', 'm1', { state: 'running', started_at: NOW - 900 }),
    ]);
    assert.deepEqual(deriveEvents(prev, next, NOW).map((e) => [e.at, e.text]), [[NOW - 900, 'b started on m1'], [NOW - 100, 'a started on m0'], [NOW, 'node m0 down']]);
  });

  it('appendLog keeps the newest entries', () => {
    const entries = Array.from({ length: 5 }, (_, i): LogEntry => ({ at: i, level: 'info', text: String(i) }));
    assert.deepEqual(appendLog(entries.slice(0, 3), entries.slice(3), 4).map((e) => e.text), ['1', '2', '3', '4']);
  });
});
