import { jobJson } from '../control/json-shape.js';
import { searchRows, searchView } from '../control/search-view.js';
import { countByState, nodeColumns, resultColumns } from '../control/tables.js';
import type { SearchInfo } from '../protocol/control-messages.js';
import type { JobInfo, NodeInfo } from '../protocol/view.js';
import { escapeControl, isoTime } from '../text.js';
import { lossChart, rateChart, rttChart, searchChart, type ChartOrWhy } from './charts.js';

/** What a report shows: the scheduler's nodes, jobs and searches in scope, and where and when they came from. */
export interface ReportData {
  scheduler: string;
  scope: string;
  generatedMs: number;
  nodes: NodeInfo[];
  jobs: JobInfo[];
  searches: SearchInfo[];
}

const HTML_SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for HTML, in an element or a quoted attribute: the five special characters as entities, and
 * control and bidi characters escaped as a terminal shows them (results hold peers' text).
 */
export function escapeHtml(text: string): string {
  return escapeControl(text).replace(/[&<>"']/g, (char) => HTML_SPECIAL[char]!);
}

/** Rows of columns as an HTML table, every cell escaped. */
function htmlTable(rows: Array<Record<string, string>>, empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const headers = Object.keys(rows[0]!);
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${headers.map((h) => `<td>${escapeHtml(row[h] ?? '')}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** One plot in a figure; data-chart and data-series name it and its series (for people reading the source, and tests). */
function figure(chart: ChartOrWhy): string {
  const caption = `<figcaption>${escapeHtml(chart.title)}</figcaption>`;
  if ('empty' in chart) return `<figure data-chart="${chart.id}" data-series="">${caption}<p class="empty">${escapeHtml(chart.empty)}</p></figure>`;
  // The SVG is ECharts' output: it escapes the text it writes (node names, job ids).
  return `<figure data-chart="${chart.id}" data-series="${escapeHtml(JSON.stringify(chart.series))}">${caption}\n${chart.svg}\n</figure>`;
}

// No script, no request: the policy makes the page's promise (nothing loads at view time) checkable.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1em 0; } figcaption { font-weight: bold; margin-bottom: 0.3em; }
figure svg { width: 100%; height: auto; }
.empty { color: #666; font-style: italic; } .meta { color: #555; }
`;

/** The whole report: one self-contained HTML page, charts as inline SVG, no script. */
export function reportHtml(data: ReportData): string {
  const jobs = data.jobs.map(jobJson);
  const searches = data.searches.map(searchView);
  const nodesUsed = new Set(data.jobs.map((job) => job.node));
  const nodes = data.nodes.filter((node) => nodesUsed.has(node.name));
  const jobRows = data.jobs.map((job) => ({ ...resultColumns(job), 'started (UTC)': isoTime(job.started_at) ?? '-' }));
  const sections = [
    `<h2>Summary</h2>\n<p>${escapeHtml(`${data.jobs.length} job(s): ${countByState(data.jobs)}; ${nodes.length} node(s); ${data.searches.length} throughput search(es)`)}</p>`,
    htmlTable(jobRows, 'no jobs in this report'),
    `<h2>Nodes</h2>\n${htmlTable(nodes.map(nodeColumns), 'no node ran a job in this report')}`,
    `<h2>Rate</h2>\n${figure(rateChart(jobs))}`,
    `<h2>Round-trip time</h2>\n${figure(rttChart(jobs))}`,
    `<h2>Loss</h2>\n${figure(lossChart(jobs))}`,
  ];
  const search = searchChart(searches);
  if (search) sections.push(`<h2>Throughput searches</h2>\n${figure(search)}\n${htmlTable(searchRows(data.searches), 'no searches')}`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pktgen report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>pktgen report</h1>
<p class="meta">${escapeHtml(`${data.scope}; from the scheduler at ${data.scheduler}; made ${new Date(data.generatedMs).toISOString()}`)}</p>
${sections.join('\n')}
</body>
</html>
`;
}
