import assert from 'node:assert/strict';
import { csvCell, jobDetail, jobsCsv } from '../../src/control/format.js';
import { formatTable, resultColumns } from '../../src/control/tables.js';
import { job } from '../tui/fixtures.js';

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
