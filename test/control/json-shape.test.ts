import assert from 'node:assert/strict';
import { flattenJson, JOB_CSV_COLUMNS, jobCsvCells, jobJson, nodeJson } from '../../src/control/json-shape.js';
import { jobDetail, jobsCsv, statusDocument } from '../../src/control/format.js';
import { resultColumns } from '../../src/control/tables.js';
import { expectText } from '../../src/protocol/view.js';
import { job, node, stats } from '../tui/fixtures.js';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const rtt = { min: 1, p25: 2, p50: 3, p75: 4, p90: 5, p95: 6, p99: 7, p999: 8, max: 9, mean: 3, std: 1, samples: 990 };
const done = job('j000000000010', 'm0', {
  state: 'succeeded', created_at: 1_700_000_000_000, sent_at: 1_700_000_000_010, started_at: 1_700_000_000_020, finished_at: 1_700_000_031_005,
  expect: { max_loss: '0.1%', max_rtt_p99: '500us' },
  stats: stats({ rx_measured: true, rx_packets: 990, loss_ratio: 0.01, rtt_us: rtt }),
});

describe('control/json-shape: one JSON shape of a node', () => {
  it('names its address once (HOST:PORT, IPv6 in brackets) and its state once (health)', () => {
    const json = nodeJson(node('m0', { port: 1731 }));
    assert.equal(json.address, '127.0.0.1:1731');
    assert.equal(nodeJson(node('m6', { host: '::1' })).address, '[::1]:1729');
    for (const gone of ['host', 'port', 'state']) assert.equal(gone in json, false, gone);
    assert.equal(json.health, 'up');
  });

  it('gives down_since in ISO 8601 UTC with milliseconds, null when the node is not down', () => {
    assert.equal(nodeJson(node('m0')).down_since, null);
    assert.equal(nodeJson(node('m0', { health: 'down', down_since: 1_700_000_003_000 })).down_since, '2023-11-14T22:13:23.000Z');
  });
});

describe('control/json-shape: one JSON shape of a job', () => {
  it('gives every time in ISO 8601 UTC with milliseconds, null when it has not happened', () => {
    const json = jobJson(done);
    for (const key of ['created_at', 'sent_at', 'started_at', 'finished_at'] as const) assert.match(json[key]!, ISO_MS, key);
    assert.equal(json.finished_at, '2023-11-14T22:13:51.005Z');
    const pending = jobJson(job('j000000000011', 'm0'));
    assert.deepEqual([pending.sent_at, pending.started_at, pending.finished_at], [null, null, null]);
  });

  it('has one field per figure: tx_mbps, not also tx_mbps_mean', () => {
    const json = jobJson(done).stats!;
    assert.equal(json.tx_mbps, 19.96);
    assert.equal('tx_mbps_mean' in json, false);
    assert.equal(json.duration_s, 30);
  });

  it('always has expect: as written, or null when nothing is expected', () => {
    assert.deepEqual(jobJson(done).expect, { max_loss: '0.1%', max_rtt_p99: '500us' });
    assert.equal(jobJson(job('j000000000012', 'm0')).expect, null);
  });

  it('names its fields the same in status JOB, times ISO 8601 too', () => {
    const detail = jobDetail(done);
    assert.match(detail, /^finished_at +2023-11-14T22:13:51\.005Z$/m);
    assert.match(detail, /^expect\.max_loss +0\.1%$/m);
    assert.match(detail, /^stats\.rtt_us\.p99 +7$/m);
    assert.doesNotMatch(detail, /tx_mbps_mean/);
  });

  it('is the same in status --json as on its own (status JOB --json, submit --wait --json)', () => {
    assert.deepEqual(statusDocument([node('m0')], [done]).jobs[0], jobJson(done));
  });
});

describe('control/json-shape: CSV columns are the JSON paths', () => {
  it('every column is a path of the job JSON, and every scalar field of a measured job has a column (but seq)', () => {
    // rate_bps, pps, threads, interval_ms, sizes and each expectation are there only when set (a job sets one rate): all here, to have every path.
    const oneWay = {
      answered: 990, fwd_sent: 1000, fwd_received: 995, fwd_loss: 0.005, ret_sent: 995, ret_received: 990, ret_loss: 0.005, reflector_dropped: 0,
      reflector_overflow: 0, jitter_measured: true, fwd_jitter_us: 12, ret_jitter_us: 3, fwd_delay_us: rtt, ret_delay_us: rtt, note: '',
    };
    const full = {
      ...done, data: { ...done.data, rate_bps: 1_500_000, pps: 1000, threads: 2, interval_ms: 500, sizes: [{ size: 64, weight: 7 }, { size: 1518, weight: 1 }] }, expect: { ...done.expect, min_rate: '99%' },
      stats: { ...done.stats!, one_way: oneWay },
    };
    const paths = Object.keys(flattenJson(jobJson(full)));
    for (const column of JOB_CSV_COLUMNS) assert.ok(paths.includes(column), `column ${column} is no JSON path`);
    assert.deepEqual(paths.filter((path) => !JOB_CSV_COLUMNS.includes(path)), ['seq']);
  });

  it('carries the expectations, one column each, and the values of the JSON', () => {
    const cells = Object.fromEntries(JOB_CSV_COLUMNS.map((column, i) => [column, jobCsvCells(done)[i]]));
    assert.deepEqual([cells['expect.max_loss'], cells['expect.max_rtt_p99'], cells['expect.min_rate']], ['0.1%', '500us', '']);
    assert.deepEqual([cells['data.m'], cells['data.rate_bps'], cells['stats.rtt_us.p99'], cells['stats.fallback'], cells.finished_at], ['20', '', '7', '', '2023-11-14T22:13:51.005Z']);
    assert.equal(jobsCsv([done]).split('\n')[0], JOB_CSV_COLUMNS.join(','));
  });

  it('leaves a job that measured nothing with empty stats cells', () => {
    const cells = jobCsvCells(job('j000000000013', 'm0', { state: 'failed', reason: 'no route' }));
    const at = (column: string) => cells[JOB_CSV_COLUMNS.indexOf(column)];
    assert.deepEqual([at('state'), at('reason'), at('stats.tx_packets'), at('expect.max_loss')], ['failed', 'no route', '', '']);
  });
});

describe('control/tables: expectations in the result table', () => {
  it('shows each expectation in one cell, - when none', () => {
    assert.equal(expectText({ max_loss: '0.1%', max_rtt_p99: '500us', min_rate: '99%' }), 'loss<=0.1% p99<=500us rate>=99%');
    assert.equal(expectText(undefined), '');
    assert.equal(resultColumns(done).expect, 'loss<=0.1% p99<=500us');
    assert.equal(resultColumns(job('j000000000014', 'm0')).expect, '-');
  });
});
