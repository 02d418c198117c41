import assert from 'node:assert/strict';
import { escapeHtml, reportHtml, type ReportData } from '../../src/report/html.js';
import { searchInfo } from '../../src/control/search-view.js';
import type { Interval } from '../../src/protocol/messages.js';
import { search } from '../store/records.js';
import { job, node, stats } from '../tui/fixtures.js';

const T0 = Date.UTC(2026, 10, 30, 11, 0, 0);
const intervals = (startMs: number, mbps: number[]): Interval[] => mbps.map((tx_mbps, index) => ({
  index, start_ms: startMs + 1000 * index, duration_s: 1, tx_packets: 100, tx_bytes: 6400, rx_packets: 100, rx_bytes: 6400,
  tx_mbps, tx_mpps: 0.01, loss_ratio: 0, rtt_p50_us: 0, rtt_p99_us: 0, rtt_samples: 0,
}));
const rtt = { min: 50, p25: 60, p50: 70, p75: 80, p90: 90, p95: 100, p99: 123.4, p999: 200, max: 300, mean: 75, std: 10, samples: 1000 };
const HOSTILE = '<img src=x onerror=alert(1)>';

function campaign(patch: Partial<ReportData> = {}): ReportData {
  return {
    scheduler: '127.0.0.1:1730', scope: 'every job the scheduler holds', generatedMs: T0 + 60_000,
    nodes: [node('m0'), node('m1', { port: 1731 }), node('idle')],
    jobs: [
      job('j1', 'm0', { state: 'succeeded', started_at: T0, finished_at: T0 + 3000, stats: stats({ rx_measured: true, loss_ratio: 0.02, rtt_us: rtt, intervals: intervals(T0, [10, 11, 9]) }) }),
      job('j2', 'm1', { state: 'succeeded', started_at: T0, finished_at: T0 + 3000, stats: stats({ intervals: intervals(T0, [5, 5, 5]) }) }),
      job('j3', 'm0', { state: 'failed', reason: `node said <script>alert("x")</script>`, started_at: T0 + 5000, finished_at: T0 + 7000, stats: stats({ intervals: intervals(T0 + 5000, [20, 20]) }) }),
    ],
    searches: [],
    ...patch,
  };
}

/** The SVG of one figure of the page. */
const figureOf = (html: string, id: string): string => html.match(new RegExp(`<figure data-chart="${id}"[\\s\\S]*?</figure>`))?.[0] ?? '';
/** Series lines ECharts drew: the stroked paths (width 2) inside a clipped group, one per series. */
const linePaths = (svg: string): number => svg.match(/<g clip-path="url\(#[^)]+\)">\s*<path [^>]*stroke-width="2"/g)?.length ?? 0;

describe('report HTML: one self-contained page with a summary and plots', () => {
  it('escapes the five HTML specials and control characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>\x1b[2J`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\\x1b[2J');
  });

  it('has a summary row per job, the nodes that ran them, and loads nothing: no script, no external reference, a CSP that forbids both', () => {
    const html = reportHtml(campaign());
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
    assert.doesNotMatch(html, /<script|<link|<iframe|\b(src|href)=/i);
    assert.match(html, /3 job\(s\): 2 succeeded, 1 failed; 2 node\(s\); 0 throughput search\(es\)/);
    for (const id of ['j1', 'j2', 'j3']) assert.match(html, new RegExp(`<tr><td>${id}</td>`));
    assert.match(html, /<td>2\.000%<\/td>/); // j1's loss, as status shows it
    assert.match(html, /<tr><td>m1<\/td>/);
    assert.doesNotMatch(html, /<tr><td>idle<\/td>/); // a node with no job in the report is left out
  });

  it('plots the sent rate with one line per node, RTT percentiles and loss for the jobs that measured them', () => {
    const html = reportHtml(campaign());
    const rate = figureOf(html, 'rate');
    assert.match(rate, /data-series="\[&quot;m0&quot;,&quot;m1&quot;\]"/);
    assert.equal(linePaths(rate), 2);
    // m0 ran two jobs: its line breaks between them (two runs of segments in one path: two M commands).
    const m0Line = rate.match(/<g clip-path="url\(#[^)]+\)">\s*<path d="([^"]+)"/)![1]!;
    assert.equal(m0Line.match(/M/g)?.length, 2);
    const rttFigure = figureOf(html, 'rtt');
    assert.match(rttFigure, /data-series="\[&quot;p50&quot;,&quot;p90&quot;,&quot;p99&quot;,&quot;p999&quot;\]"/);
    assert.match(rttFigure, />j1<\/text>/);
    assert.doesNotMatch(rttFigure, />j2<\/text>/);
    assert.match(figureOf(html, 'loss'), />j1<\/text>/);
    assert.doesNotMatch(html, /data-chart="search"/);
  });

  it('says why a plot is empty instead of drawing an empty one', () => {
    const html = reportHtml(campaign({ jobs: [job('j9', 'm0')] }));
    assert.match(figureOf(html, 'rate'), /<p class="empty">no job in this report has measured intervals yet<\/p>/);
    assert.match(figureOf(html, 'rtt'), /<p class="empty">no job in this report measured RTT \(ask for it with --latency\)<\/p>/);
    assert.doesNotMatch(html, /<svg/);
  });

  it('shows throughput searches: a bar per frame size done, and the per-size table', () => {
    const html = reportHtml(campaign({ searches: [searchInfo(search('s000000000001', T0))] }));
    const figure = figureOf(html, 'search');
    assert.match(figure, /data-series="\[&quot;s000000000001&quot;\]"/);
    assert.match(figure, />1518<\/text>/);
    assert.match(html, /<td>s000000000001<\/td><td>1518<\/td>/);
  });

  it('escapes results text everywhere: job ids, node names and reasons never become markup', () => {
    const html = reportHtml(campaign({
      nodes: [node(HOSTILE)],
      jobs: [job(HOSTILE, HOSTILE, { state: 'failed', reason: HOSTILE, stats: stats({ rx_measured: true, rtt_us: rtt, intervals: intervals(T0, [1, 2]) }) })],
    }));
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /<td>&lt;img src=x onerror=alert\(1\)&gt;<\/td>/);
    // In the SVG too (ECharts escapes the legend and axis labels it writes).
    assert.match(figureOf(html, 'rate'), /&lt;img src=x onerror=alert\(1\)&gt;<\/text>/);
  });
});
