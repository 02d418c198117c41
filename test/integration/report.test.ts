import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from '../helpers/binary.js';

// `pktgen report` end to end: a small campaign (3 jobs on 2 nodes, built binaries on loopback, each
// node sending to its own reflector), the report written, then opened in Debian's headless Chromium
// (driven by playwright-core; no browser is downloaded). The screenshot stays in the test output
// folder, test-output/report/ at the repository root (ignored by git), for people to look at.
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/report/', import.meta.url));

/** What the page shows of one figure, read in the browser. */
interface FigureSeen { chart: string; series: string[]; svgs: number; width: number; height: number; lines: number; marks: number; legend: string[]; labels: string[] }

/** The first table's rows (the summary), cell texts as the page shows them. */
const tableRows = (html: string): string[][] => [...html.split('</table>')[0]!.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((row) => [...row[1]!.matchAll(/<td>(.*?)<\/td>/g)].map((cell) => cell[1]!));

describe('pktgen report (built binaries: schedule, two nodes with reflectors, submit; the page in headless Chromium)', function () {
  this.timeout(180_000);
  let dir: string;
  let control: string;
  let browser: Browser | undefined;
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  const reflectors: Record<string, string> = {};

  const cli = (...args: string[]) => execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv(), timeout: 120_000 });

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // .ci/run installs Debian's chromium
    requireBinary();
    dir = mkdtempSync(join(tmpdir(), 'pktgen-report-'));
    const [schedulerPort, controlPort] = [await freePort(), await freePort()];
    control = `127.0.0.1:${controlPort}`;
    const nodes = [];
    for (const name of ['m0', 'm1']) {
      const [port, reflect] = [await freePort(), await freePort()];
      reflectors[name] = `127.0.0.1:${reflect}`;
      const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(port), '--name', name, '--scheduler-port', String(schedulerPort), '--reflect-port', String(reflect)]);
      children.push(serve);
      await waitForOutput(serve, /pktgen node .* listening on/);
      nodes.push({ name, ip: '127.0.0.1', port });
    }
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]);
    children.push(schedule);
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  });
  after(async () => {
    await browser?.close();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens `file` in headless Chromium, saves a full-page screenshot, and reads back what each figure drew. */
  async function openInChromium(file: string, screenshot: string): Promise<{ figures: FigureSeen[]; problems: string[]; requests: string[] }> {
    browser ??= await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 60_000,
      // Playwright gives each launch a fresh profile folder of its own (the --user-data-dir).
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => { if (request.url() !== pathToFileURL(file).href) requests.push(request.url()); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
    await page.screenshot({ path: screenshot, fullPage: true, timeout: 30_000 });
    // No named function inside: tsx would wrap it in a helper (__name) the page does not have.
    const figures: FigureSeen[] = await page.$$eval('figure', (elements) => elements.map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return {
        chart: figure.getAttribute('data-chart') ?? '', series: JSON.parse(figure.getAttribute('data-series') || '[]') as string[],
        svgs: figure.querySelectorAll('svg').length, width: box?.width ?? 0, height: box?.height ?? 0,
        // ECharts draws each line series as one stroked path in a clipped group, and tags each bar and dot with its series.
        lines: figure.querySelectorAll('g[clip-path] > path[stroke-width="2"]').length,
        marks: figure.querySelectorAll('path[ecmeta_ssr_type="chart"]').length,
        // A legend entry's name is the text just before its hit area(s), which ECharts tags as the legend's.
        legend: [...figure.querySelectorAll('path[ecmeta_ssr_type="legend"]')].map((hit) => hit.previousElementSibling?.textContent ?? '').filter((name) => name !== ''),
        labels: [...figure.querySelectorAll('text')].map((text) => text.textContent ?? ''),
      };
    }));
    await page.close();
    return { figures, problems, requests };
  }

  it('writes one HTML file whose plots render in Chromium (a line per node, RTT and loss per job) with no console error and no request', async () => {
    // Two jobs on m0 (they run one after the other), one on m1; each measures RTT through its node's reflector.
    const submit = (node: string, rate: string) => cli('submit', '--node', node, '--target', reflectors[node]!, '--rate', rate, '--duration', '3', '--warmup', '1',
      '--size', '200', '--latency', '--wait', '--json', '--timeout', '90s');
    const results = await Promise.all([submit('m0', '4'), submit('m1', '2'), submit('m0', '6')]);
    for (const result of results) assert.equal(result.exitCode, 0, result.stderr);
    const ids = results.map((result) => (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { jobs: Array<{ id: string }> }).jobs[0]!.id);

    mkdirSync(OUTPUT, { recursive: true });
    const out = join(OUTPUT, 'report.html');
    const report = await cli('report', '--out', out);
    assert.equal(report.exitCode, 0, report.stderr);
    assert.match(report.stderr, /^wrote .*report\.html: 3 job\(s\), 0 search\(es\)$/m);
    assert.doesNotMatch(readFileSync(out, 'utf8'), /<script|\b(src|href)=/i);

    const { figures, problems, requests } = await openInChromium(out, join(OUTPUT, 'report.png'));
    const rows = tableRows(readFileSync(out, 'utf8'));

    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);
    assert.deepEqual(rows.map((row) => row[0]).sort(), [...ids].sort());
    const byChart = new Map(figures.map((figure) => [figure.chart, figure]));
    assert.deepEqual([...byChart.keys()], ['rate', 'rtt', 'loss']);
    for (const figure of figures) {
      assert.equal(figure.svgs, 1, `${figure.chart}: one SVG`);
      assert.ok(figure.width > 500 && figure.height > 150, `${figure.chart}: drawn at ${figure.width}x${figure.height}`);
    }
    const rate = byChart.get('rate')!;
    assert.deepEqual(rate.series, ['m0', 'm1']);
    assert.equal(rate.lines, 2, 'one line per node');
    assert.deepEqual(rate.legend, ['m0', 'm1']);
    const rtt = byChart.get('rtt')!;
    assert.deepEqual(rtt.legend, ['p50', 'p90', 'p99', 'p999']);
    for (const id of ids) assert.ok(rtt.labels.includes(id), `RTT plot labels job ${id}`);
    const loss = byChart.get('loss')!;
    for (const id of ids) assert.ok(loss.labels.includes(id), `loss plot labels job ${id}`);
    assert.ok(existsSync(join(OUTPUT, 'report.png')));
  });

  it("--search: the search's rate per frame size as a bar, its table, and its trials", async () => {
    const started = await cli('submit', '--search', 'throughput', '--node', 'm1', '--target', reflectors.m1!, '--sizes', '256,512', '--trial', '1s', '--warmup', '1',
      '--max-loss', '5%', '--resolution', '50%', '--max-rate', '8M', '--wait', '--json', '--timeout', '120s');
    assert.ok(started.exitCode === 0 || started.exitCode === 1, started.stderr);
    const status = JSON.parse((await cli('status', '--json')).stdout) as { searches: Array<{ id: string; sizes: Array<{ size: number; throughput_mbps: number | null }> }>; jobs: Array<{ id: string; search?: string }> };
    const found = status.searches[0]!;
    const trials = status.jobs.filter((j) => j.search === found.id).map((j) => j.id);
    const out = join(OUTPUT, 'search.html');
    const report = await cli('report', '--search', found.id, '--out', out);
    assert.equal(report.exitCode, 0, report.stderr);
    assert.match(report.stderr, new RegExp(`: ${trials.length} job\\(s\\), 1 search\\(es\\)$`, 'm'));
    assert.deepEqual(tableRows(readFileSync(out, 'utf8')).map((row) => row[0]).sort(), [...trials].sort());

    const { figures, problems, requests } = await openInChromium(out, join(OUTPUT, 'search.png'));
    assert.deepEqual([problems, requests], [[], []]);
    const search = figures.find((figure) => figure.chart === 'search')!;
    assert.deepEqual(search.series, [found.id]);
    assert.ok(search.labels.includes('256') && search.labels.includes('512'), 'a bar group per frame size');
    // A bar for each size whose rate was found.
    assert.equal(search.marks, found.sizes.filter((size) => size.throughput_mbps !== null).length);
    assert.ok(search.marks > 0, `a size found its rate: ${JSON.stringify(found.sizes)}`);
  });

  it('--jobs takes only those jobs, --out - writes to stdout; an unknown id, a bad time and an unreachable file are user errors (exit 2)', async () => {
    const all = JSON.parse((await cli('status', '--json')).stdout) as { jobs: Array<{ id: string }> };
    const one = all.jobs[0]!.id;
    const out = join(dir, 'one.html');
    const report = await cli('report', '--jobs', one, '--out', out);
    assert.equal(report.exitCode, 0, report.stderr);
    assert.match(report.stderr, /: 1 job\(s\), 0 search\(es\)$/m);
    assert.match(readFileSync(out, 'utf8'), new RegExp(`<tr><td>${one}</td>`));
    const toStdout = await cli('report', '--jobs', one, '--out', '-');
    assert.equal(toStdout.exitCode, 0, toStdout.stderr);
    assert.match(toStdout.stdout, new RegExp(`^<!DOCTYPE html>[^]*<tr><td>${one}</td>[^]*</html>\n?$`));
    const unknown = await cli('report', '--jobs', `${one},jnope`, '--out', out);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /--jobs: no job jnope on the scheduler/);
    const badTime = await cli('report', '--since', 'yesterday', '--out', out);
    assert.equal(badTime.exitCode, 2);
    assert.match(badTime.stderr, /--since "yesterday": expected an ISO 8601 time/);
    const badFile = await cli('report', '--out', join(dir, 'no-such-folder', 'r.html'));
    assert.equal(badFile.exitCode, 2);
    assert.match(badFile.stderr, /--out .*r\.html: cannot write the report \(ENOENT\)/);
  });
});
