import assert from 'node:assert/strict';
import { decodeResponse, encodeResponse } from '../../src/protocol/control-messages.js';
import { jobDetail } from '../../src/control/format.js';
import type { JobInfo } from '../../src/protocol/view.js';
import { jobJson } from '../../src/control/json-shape.js';
import { job, stats } from '../tui/fixtures.js';

describe('job view: a late result', () => {
  const lost: JobInfo = job('j000000000001', 'm0', {
    state: 'lost', reason: 'no final status within w + t + 30 s', finished_at: 1_700_000_060_000,
    late: { type: 'SUCCESS', reason: '', stats: stats(), at: 1_700_000_075_000 },
  });
  const lateFail: JobInfo = job('j000000000002', 'm0', { state: 'lost', finished_at: 1, late: { type: 'FAIL', reason: 'emitter crashed', at: 2 } });
  const plain: JobInfo = job('j000000000003', 'm0', { state: 'succeeded', stats: stats() });

  it('crosses the control API and back as it was; a job without one has none', () => {
    const { jobs } = decodeResponse(encodeResponse({ jobs: [lost, lateFail, plain] }));
    assert.deepEqual(jobs, [lost, lateFail, plain]);
    assert.equal('late' in jobs[2]!, false, 'no "late" key in --json for a job without one');
  });

  it('`status --json` shows it with what was not measured as null, like the job\'s own figures', () => {
    const view = jobJson(lost);
    assert.equal(view.stats, null);
    assert.equal(view.late?.type, 'SUCCESS');
    assert.equal(view.late?.stats?.tx_packets, 1000);
    assert.equal(view.late?.stats?.rx_packets, null, 'no echoes came back: not measured, not 0');
    assert.deepEqual(jobJson(lateFail).late, { type: 'FAIL', reason: 'emitter crashed', at: '1970-01-01T00:00:00.002Z' });
    assert.equal('late' in jobJson(plain), false);
  });

  it('`status ID` shows it under the job, which stays lost', () => {
    const lines = jobDetail(lost).split('\n');
    assert.match(lines.find((l) => l.startsWith('state'))!, /^state +lost$/);
    assert.match(lines.find((l) => l.startsWith('late '))!, /^late +SUCCESS at 2023-11-14T22:14:35\.000Z, after the job was declared lost$/);
    assert.match(lines.find((l) => l.startsWith('late.stats.tx_packets'))!, /^late\.stats\.tx_packets +1000$/);
    assert.match(lines.find((l) => l.startsWith('late.stats.rx_packets'))!, /^late\.stats\.rx_packets +not measured$/);
    assert.equal(lines.some((l) => l.startsWith('stats.')), false, 'the job itself has no result');
    assert.match(jobDetail(lateFail), /\nlate\.reason +emitter crashed/);
    assert.doesNotMatch(jobDetail(plain), /\nlate/);
  });
});
