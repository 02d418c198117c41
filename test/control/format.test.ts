import assert from 'node:assert/strict';
import { csvCell, jobDetail, jobsCsv, statusDocument } from '../../src/control/format.js';
import { countByState, formatTable, resultColumns } from '../../src/control/tables.js';
import { statsView } from '../../src/protocol/view.js';
import { jobJson } from '../../src/control/json-shape.js';
import { job, node, stats } from '../tui/fixtures.js';

const REASON = 'boom\n\x1b]0;x\x07';
const SHOWN = 'boom\\x0a\\x1b]0;x\\x07';

describe('control/format: a peer\'s text in status output', () => {
  const failed = job('j000000000001', 'm0', { state: 'failed', reason: REASON, finished_at: 1 });

  it('the status table shows a FAIL reason escaped, on one line, columns aligned', () => {
    const table = formatTable([resultColumns(failed), resultColumns(job('j000000000002', 'm0', { state: 'succeeded' }))]);
    const lines = table.split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines[1]!.endsWith(SHOWN));
    assert.doesNotMatch(table, /[\x00-\x09\x0b-\x1f]/);
    assert.equal(lines[1]!.indexOf('failed'), lines[2]!.indexOf('succeeded'));
  });

  it('one job in full shows the reason escaped', () => {
    const line = jobDetail(failed).split('\n').find((l) => l.startsWith('reason'));
    assert.match(line!, /^reason +boom\\x0a\\x1b\]0;x\\x07$/);
  });

  it('CSV: the reason escaped, one row per job', () => {
    const rows = jobsCsv([failed]).split('\n');
    assert.equal(rows.length, 2);
    assert.ok(rows[1]!.includes(`,${SHOWN},`));
  });
});

describe('csvCell', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text', 'node shutting down', 'node shutting down'],
    ['a comma or a quote is quoted', 'a, "b"', '"a, ""b"""'],
    ['a formula is neutralised', '=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+, - and @ lead a formula too', '+1+cmd', "'+1+cmd"],
    ['- before text', '-2+3', "'-2+3"],
    ['@ before text', '@SUM(A1)', "'@SUM(A1)"],
    ['a negative number stays a number', '-1.5', '-1.5'],
    ['a number with an exponent', '-2e-7', '-2e-7'],
    ['a leading tab is escaped, so it cannot start a formula', '\t=1', '\\x09=1'],
    ['a line break is escaped', 'a\nb', 'a\\x0ab'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(csvCell(input), expected));
  }
});

describe('control/format: figures that were not measured', () => {
  const latency = { m: 20, t: 30, w: 0, n: 1, s_min: 64, s_max: 0, r: false, l: true };
  const noEcho = job('j000000000003', 'm0', {
    state: 'succeeded', finished_at: 2, data: latency, stats: stats({ rtt_note: 'no echo from a reflector at 127.0.0.1:9' }),
  });
  const echoed = job('j000000000004', 'm0', {
    state: 'succeeded', finished_at: 3,
    stats: stats({ rx_measured: true, rx_packets: 990, loss_ratio: 0.01, duplicates: 0, reordered: 0, rtt_us: { min: 1, p25: 2, p50: 3, p75: 4, p90: 5, p95: 6, p99: 7, p999: 8, max: 9, mean: 3, std: 1, samples: 990 } }),
  });

  it('are null in JSON, never 0; measured zeros stay 0', () => {
    const view = jobJson(noEcho).stats!;
    for (const key of ['rx_packets', 'rx_bytes', 'loss_ratio', 'rx_mbps_mean', 'rx_mpps_mean', 'duplicates', 'reordered', 'rtt_us'] as const) assert.equal(view[key], null, key);
    assert.equal(view.tx_packets, 1000);
    assert.equal(view.rtt_note, 'no echo from a reflector at 127.0.0.1:9');
    const measured = jobJson(echoed).stats!;
    assert.deepEqual([measured.rx_packets, measured.loss_ratio, measured.duplicates, measured.rtt_us?.p99], [990, 0.01, 0, 7]);
    assert.equal(jobJson(job('j5', 'm0', { state: 'failed' })).stats, null, 'a job that measured nothing has null stats');
  });

  it('name the absence of RTT even when an older node gave no reason', () => {
    assert.equal(statsView(stats(), latency).rtt_note, 'latency was asked for, but the node reported no RTT and no reason');
    assert.equal(statsView(stats(), { l: false }).rtt_note, '', 'nothing to explain when latency was not asked for');
  });

  it('are empty cells in CSV, with the reason for no RTT in its own column', () => {
    const [header, row] = jobsCsv([noEcho]).split('\n');
    const columns = header!.split(',');
    const cells = Object.fromEntries(columns.map((name, i) => [name, row!.split(',')[i]]));
    assert.deepEqual(
      [cells['stats.rx_packets'], cells['stats.loss_ratio'], cells['stats.duplicates'], cells['stats.rtt_us.p50'], cells['stats.tx_packets'], cells['stats.rtt_note']],
      ['', '', '', '', '1000', 'no echo from a reflector at 127.0.0.1:9'],
    );
  });

  it('say "not measured" in one job in full, and "-" in tables', () => {
    const detail = jobDetail(noEcho);
    assert.match(detail, /^stats\.loss_ratio +not measured$/m);
    assert.match(detail, /^stats\.rtt_us +not measured$/m);
    assert.match(detail, /^stats\.rtt_note +no echo from a reflector at 127\.0\.0\.1:9$/m);
    assert.match(detail, /^stats\.tx_packets +1000$/m);
    const columns = resultColumns(noEcho);
    assert.deepEqual([columns['rx pkts'], columns.loss, columns['p99 us']], ['-', '-', '-']);
  });

  it('status --json carries the store\'s health and the jobs with nulls', () => {
    const document = statusDocument([node('m0')], [noEcho], 'cannot save its state since T (disk full)');
    assert.deepEqual(document.store, { ok: false, problem: 'cannot save its state since T (disk full)' });
    assert.equal(document.jobs[0]!.stats!.loss_ratio, null);
    assert.deepEqual(statusDocument([], []).store, { ok: true });
  });

  it('count cancelled jobs as their own state', () => {
    assert.equal(countByState([{ state: 'succeeded' }, { state: 'cancelled' }, { state: 'failed' }, { state: 'cancelled' }]), '1 succeeded, 2 cancelled, 1 failed');
  });
});
