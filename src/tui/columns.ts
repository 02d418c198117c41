import { escapeControl } from '../text.js';
import { fit, firstFitting } from './format.js';

/** One table column: its widths, how it is dropped and grown, and how a row fills it. */
export interface ColumnSpec<Row> {
  key: string;
  header: string;
  /** Narrowest useful width. */
  min: number;
  /** Width that shows every value in full. */
  ideal: number;
  /** Columns with the highest rank go first when the terminal is narrow; 0 = never dropped. */
  drop: number;
  /** Spare width goes to columns in ascending `grow` order. */
  grow: number;
  align?: 'left' | 'right';
  /** The cell's forms, richest first; the first that fits the width is shown. */
  cell: (row: Row) => string[];
}

// Cells hold peers' text (a FAIL reason, a node's name): escaped before they are measured or cut.
const forms = <Row>(cell: (row: Row) => string[], row: Row): string[] => cell(row).map(escapeControl);

/** A column with its final width. */
export interface FittedColumn<Row> extends ColumnSpec<Row> {
  width: number;
}

const GAP = 1;
const span = (widths: number[]): number => widths.reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, widths.length - 1);

/** The width of the widest form of a column's cells (and its header), at least `floor`. */
export function idealWidth<Row>(rows: readonly Row[], header: string, cell: (row: Row) => string[], floor = 0): number {
  return Math.max(floor, header.length, ...rows.map((row) => forms(cell, row)[0]?.length ?? 0));
}

/**
 * Picks the columns that fit `width` and their widths: drops columns by rank until the minimum
 * widths fit, then grows columns toward their ideal width in `grow` order.
 */
export function fitColumns<Row>(specs: ReadonlyArray<ColumnSpec<Row>>, width: number): Array<FittedColumn<Row>> {
  let kept = specs.map((spec) => ({ ...spec, ideal: Math.max(spec.ideal, spec.min) }));
  while (span(kept.map((c) => c.min)) > width) {
    const victim = kept.reduce<(typeof kept)[number] | undefined>((worst, c) => (c.drop > (worst?.drop ?? 0) ? c : worst), undefined);
    if (!victim) break;
    kept = kept.filter((c) => c !== victim);
  }
  const widths = new Map(kept.map((c) => [c.key, c.min]));
  let spare = width - span(kept.map((c) => c.min));
  for (const c of [...kept].sort((a, b) => a.grow - b.grow)) {
    const extra = Math.max(0, Math.min(spare, c.ideal - c.min));
    widths.set(c.key, c.min + extra);
    spare -= extra;
  }
  return kept.map((c) => ({ ...c, width: widths.get(c.key)! }));
}

/** The header line of fitted columns. */
export function headerLine<Row>(columns: ReadonlyArray<FittedColumn<Row>>): string {
  return columns.map((c) => fit(c.header, c.width, c.align)).join(' '.repeat(GAP)).trimEnd();
}

/** One row's cells, each fitted to its column. */
export function rowCells<Row>(columns: ReadonlyArray<FittedColumn<Row>>, row: Row): string[] {
  return columns.map((c) => fit(firstFitting(forms(c.cell, row), c.width), c.width, c.align));
}

/** Joins fitted cells into a line. */
export const joinCells = (cells: readonly string[]): string => cells.join(' '.repeat(GAP));
