import type { JobState } from '../protocol/view.js';
import type { Snapshot } from '../protocol/view.js';
import type { LogEntry } from './events.js';
import { headerLine, joinCells, rowCells } from './columns.js';
import { clock, truncate } from './format.js';
import { nodeColumns, nodeLines, progressCell, warmupShare } from './node-rows.js';
import { finishedJobs, resultColumns } from './result-rows.js';
import { footerLines } from './footer.js';
import { clampScroll, type TerminalSize, type UiState } from './ui-state.js';
import { totalsLine } from './totals.js';

/** One cell of a node row, fitted to its column; the progress cell also carries its bar's data. */
export interface CellView {
  key: string;
  text: string;
  progress?: { value: number; warmupShare: number };
}

/** One node's row, and what the components color. */
export interface NodeRowView {
  name: string;
  selected: boolean;
  health: 'unknown' | 'up' | 'down';
  paused: boolean;
  failed: number;
  cells: CellView[];
}

/** A line of the results list. */
export interface ResultLineView {
  id: string;
  state: JobState;
  text: string;
}

/** Everything the screen shows, already fitted to the terminal. */
export interface View {
  width: number;
  title: string;
  /** The scheduler stopped answering: the tables show its last answer, dimmed. */
  stale: boolean;
  header: string;
  nodes: NodeRowView[];
  /** Rows the node table may use; the page size for PgUp/PgDn. */
  nodeRows: number;
  scroll: number;
  totals: string;
  results: { title: string; header: string; lines: ResultLineView[]; rows: number };
  events: { title: string; lines: LogEntry[]; rows: number };
  footer: { notice?: LogEntry; prompt: string };
}

/** Lines that are always there: title, table header, totals, notice and prompt. */
const FIXED_ROWS = 5;

/** Splits the rows under the fixed lines between nodes, results and events (section titles included). */
export function layout(rows: number, nodeCount: number): { nodeRows: number; resultRows: number; eventRows: number } {
  // One row stays free so the frame never fills the screen and the terminal never scrolls.
  const body = Math.max(1, rows - 1 - FIXED_ROWS);
  // Nodes first (at least 3 when there are), leaving 8 rows for results and events when the body allows.
  const nodeRows = Math.max(1, Math.min(Math.max(nodeCount, 1), body, Math.max(Math.min(nodeCount, 3), body - 8)));
  const rest = Math.max(0, body - nodeRows);
  if (rest < 2) return { nodeRows, resultRows: 0, eventRows: 0 };
  if (rest < 4) return { nodeRows, resultRows: rest, eventRows: 0 };
  const resultRows = 1 + Math.ceil((rest - 2) / 2);
  return { nodeRows, resultRows, eventRows: rest - resultRows };
}

const section = (name: string, width: number): string => `── ${name} ${'─'.repeat(width)}`.slice(0, width);

/** What the screen is built from. */
export interface ViewInput {
  /** The latest snapshot; none yet = still connecting. */
  snapshot?: Snapshot;
  ui: UiState;
  /** Recent events, oldest first. */
  log: readonly LogEntry[];
  size: TerminalSize;
  /** The backend's label, for the title. */
  label: string;
  /** When polls began to fail (ms since the epoch); unset while the scheduler answers. */
  disconnectedSince?: number | undefined;
}

/** Builds the screen from scheduler data, the UI state and the terminal size. */
export function buildView({ snapshot, ui, log, size, label, disconnectedSince }: ViewInput): View {
  const width = Math.max(20, size.columns);
  const data = snapshot ?? { nodes: [], jobs: [], jobs_total: 0 };
  const lines = nodeLines(data);
  const { nodeRows, resultRows, eventRows } = layout(size.rows, lines.length);
  const selected = Math.min(ui.selected, Math.max(0, lines.length - 1));
  const scroll = clampScroll(selected, ui.scroll, nodeRows, lines.length);
  const columns = nodeColumns(lines, width - 2);
  const nodes = lines.slice(scroll, scroll + nodeRows).map((line, i): NodeRowView => {
    const texts = rowCells(columns, line);
    const cells = columns.map((column, c): CellView => {
      if (column.key !== 'progress' || !line.node.running_job) return { key: column.key, text: texts[c]! };
      const progress = { value: line.node.progress, warmupShare: warmupShare(line.running) };
      return { key: column.key, text: progressCell(progress.value, progress.warmupShare, column.width), progress };
    });
    const { name, health, paused, failed } = line.node;
    return { name, selected: scroll + i === selected, health, paused, failed, cells };
  });
  const shown = lines.length > nodeRows ? `nodes ${scroll + 1}-${scroll + nodes.length} of ${lines.length}` : '? help';
  const connection = disconnectedSince !== undefined ? ` · disconnected since ${clock(disconnectedSince)}` : snapshot ? '' : ' (connecting…)';
  const left = truncate(`pktgen · ${label}${connection}`, Math.max(0, width - shown.length - 1));
  const finished = finishedJobs(data);
  const resultLines = Math.max(0, resultRows - 2);
  const visibleJobs = resultLines > 0 ? finished.slice(-resultLines) : [];
  const eventLines = Math.max(0, eventRows - 1);
  const recent = eventLines > 0 ? log.slice(-eventLines) : [];
  const rcols = resultColumns(visibleJobs, width);
  return {
    width,
    title: `${left}${' '.repeat(Math.max(1, width - left.length - shown.length))}${shown}`,
    stale: disconnectedSince !== undefined,
    header: `  ${headerLine(columns)}`,
    nodes,
    nodeRows,
    scroll,
    totals: totalsLine(data, width),
    results: {
      title: section(`results: ${finished.length} finished${finished.length > resultLines ? `, newest ${resultLines}` : ''}`, width),
      header: headerLine(rcols),
      lines: visibleJobs.map((job) => ({ id: job.id, state: job.state, text: joinCells(rowCells(rcols, job)).trimEnd() })),
      rows: resultRows,
    },
    events: {
      title: section('events', width),
      lines: recent.map((e) => ({ ...e, text: truncate(`${clock(e.at)} ${e.text}`, width) })),
      rows: eventRows,
    },
    footer: footerLines(ui, width),
  };
}

/** The plain text of a node row, as a terminal without colors shows it. */
export function nodeRowText(row: NodeRowView): string {
  return `${row.selected ? '›' : ' '} ${joinCells(row.cells.map((cell) => cell.text))}`.trimEnd();
}
