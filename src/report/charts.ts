import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { JobJson } from '../control/json-shape.js';
import type { SearchView } from '../control/search-view.js';
import type { IntervalView } from '../protocol/view.js';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

/** One plot of the report: its SVG (rendered here, by ECharts, so the page needs no script) and its series' names. */
export interface Chart {
  id: 'rate' | 'rtt' | 'loss' | 'search';
  title: string;
  series: string[];
  svg: string;
}

/** A plot that has nothing to show says why instead. */
export type ChartOrWhy = Chart | { id: Chart['id']; title: string; empty: string };

const WIDTH = 960;
/** Points on a line beyond which its intervals are drawn without dots. */
const MAX_DOTS = 200;
const HEIGHT = 340;

/** Renders one ECharts option to an SVG string with no DOM; the instance is disposed (its timers would keep the process alive). */
function renderSvg(option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, legend: { bottom: 0, type: 'plain' }, grid: { left: 70, right: 30, top: 40, bottom: 70 }, ...option });
    return chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
}

/** A category axis of job ids (or sizes), its labels turned when there are many. */
const categoryAxis = (names: string[], label?: string) => ({
  type: 'category', data: names, name: label, nameLocation: 'middle', nameGap: 28,
  // Every label while they fit; past that ECharts picks which to show, so they do not overprint.
  axisLabel: { rotate: names.length > 6 ? 30 : 0, interval: names.length > 30 ? 'auto' : 0 },
});

/** A job's measured intervals: from its result once final, the newest ones while it runs. */
const jobIntervals = (job: JobJson): IntervalView[] => job.stats?.intervals ?? job.intervals ?? [];

/**
 * Sent rate over time, one line per node: each measured interval at its start, the line broken
 * between jobs (a gap is time the node was not measured, not a rate of 0).
 */
export function rateChart(jobs: JobJson[]): ChartOrWhy {
  const title = 'Sent rate over time per node (Mbit/s, per measured interval)';
  const byNode = new Map<string, Array<[number, number | null]>>();
  const runs = jobs
    .map((job) => ({ node: job.node, points: jobIntervals(job).filter((i) => i.start !== null).map((i) => ({ t: Date.parse(i.start!), mbps: i.tx_mbps })) }))
    .filter((run) => run.points.length > 0)
    .sort((a, b) => a.points[0]!.t - b.points[0]!.t);
  for (const run of runs) {
    const line = byNode.get(run.node) ?? [];
    if (line.length > 0) line.push([run.points[0]!.t - 1, null]);
    for (const point of run.points) line.push([point.t, point.mbps]);
    byNode.set(run.node, line);
  }
  if (byNode.size === 0) return { id: 'rate', title, empty: 'no job in this report has measured intervals yet' };
  const nodes = [...byNode.keys()].sort();
  const svg = renderSvg({
    xAxis: { type: 'time', name: 'time (UTC)', nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: '{HH}:{mm}:{ss}' } },
    yAxis: { type: 'value', name: 'Mbit/s' },
    useUTC: true,
    // A dot per interval while they can be told apart; without them a long campaign's file stays small.
    series: nodes.map((node) => ({ name: node, type: 'line', data: byNode.get(node), showSymbol: byNode.get(node)!.length <= MAX_DOTS, symbolSize: 4, connectNulls: false })),
  });
  return { id: 'rate', title, series: nodes, svg };
}

/** The RTT percentiles a job's bar group shows. */
const RTT_PERCENTILES = ['p50', 'p90', 'p99', 'p999'] as const;

/** Round-trip time percentiles per job that measured them (µs), one bar per percentile. */
export function rttChart(jobs: JobJson[]): ChartOrWhy {
  const title = 'Round-trip time per job (µs)';
  const measured = jobs.filter((job) => job.stats?.rtt_us);
  if (measured.length === 0) return { id: 'rtt', title, empty: 'no job in this report measured RTT (ask for it with --latency)' };
  const svg = renderSvg({
    xAxis: categoryAxis(measured.map((job) => job.id)),
    // A log scale: p50 and p999 often differ a hundredfold, and a linear one flattens the low ones to nothing.
    yAxis: { type: 'log', name: 'µs (log scale)' },
    series: RTT_PERCENTILES.map((p) => ({ name: p, type: 'bar', data: measured.map((job) => (job.stats!.rtt_us![p] > 0 ? job.stats!.rtt_us![p] : null)) })),
  });
  return { id: 'rtt', title, series: [...RTT_PERCENTILES], svg };
}

/** Loss per job that measured echoes (%). */
export function lossChart(jobs: JobJson[]): ChartOrWhy {
  const title = 'Loss per job (%)';
  const measured = jobs.filter((job) => job.stats && job.stats.loss_ratio !== null);
  if (measured.length === 0) return { id: 'loss', title, empty: 'no job in this report measured loss (it needs echoes from a reflector)' };
  const svg = renderSvg({
    legend: { show: false },
    xAxis: categoryAxis(measured.map((job) => job.id)),
    yAxis: { type: 'value', name: '%' },
    series: [{ name: 'loss %', type: 'bar', data: measured.map((job) => Number((job.stats!.loss_ratio! * 100).toFixed(6))) }],
  });
  return { id: 'loss', title, series: ['loss %'], svg };
}

/** Throughput found per frame size, one bar series per search; a size not done yet has no bar. */
export function searchChart(searches: SearchView[]): ChartOrWhy | undefined {
  if (searches.length === 0) return undefined;
  const title = 'Throughput search: rate found per frame size (Mbit/s)';
  const sizes = [...new Set(searches.flatMap((search) => search.sizes.map((size) => size.size)))].sort((a, b) => a - b);
  const svg = renderSvg({
    xAxis: categoryAxis(sizes.map(String), 'frame size (bytes)'),
    yAxis: { type: 'value', name: 'Mbit/s' },
    series: searches.map((search) => ({
      name: search.id, type: 'bar',
      data: sizes.map((size) => search.sizes.find((s) => s.size === size)?.throughput_mbps ?? null),
    })),
  });
  return { id: 'search', title, series: searches.map((search) => search.id), svg };
}
