import { Box, Text } from 'ink';
import type { CellView, NodeRowView } from '../view-model.js';
import { ProgressBar } from './progress-bar.js';

/** Props of NodeTable: the fitted header, the visible rows and the rows it may fill. */
export interface NodeTableProps {
  header: string;
  rows: NodeRowView[];
  height: number;
  /** The scheduler stopped answering: the rows are its last answer, drawn dim and without colors. */
  dim?: boolean;
}

const HEALTH_COLOR = { up: 'green', down: 'red', unknown: 'yellow' } as const;

function Cell({ cell, row, dim }: { cell: CellView; row: NodeRowView; dim: boolean }) {
  if (dim) return <Text dimColor>{cell.text}</Text>;
  if (cell.progress) return <ProgressBar value={cell.progress.value} warmupShare={cell.progress.warmupShare} width={cell.text.length} />;
  if (cell.key === 'health') return <Text color={HEALTH_COLOR[row.health]}>{cell.text}</Text>;
  if (cell.key === 'state' && row.paused) return <Text color="yellow">{cell.text}</Text>;
  if (cell.key === 'failed' && row.failed > 0) return <Text color="red">{cell.text}</Text>;
  return <Text>{cell.text}</Text>;
}

/** One row per node, the selected one marked and highlighted; blank rows keep the height fixed. */
export function NodeTable({ header, rows, height, dim = false }: NodeTableProps) {
  const blanks = Math.max(0, height - Math.max(rows.length, 1));
  return (
    <Box flexDirection="column">
      <Text bold={!dim} dimColor={dim} wrap="truncate-end">{header}</Text>
      {rows.length === 0 ? <Text dimColor>  no nodes yet: press n to add one</Text> : null}
      {rows.map((row) => (
        <Text key={row.name} inverse={row.selected && !dim} bold={row.selected && !dim} dimColor={dim} wrap="truncate-end">
          {row.selected ? '› ' : '  '}
          {row.cells.map((cell, i) => (
            <Text key={cell.key}>
              {i > 0 ? ' ' : ''}
              <Cell cell={cell} row={row} dim={dim} />
            </Text>
          ))}
        </Text>
      ))}
      {Array.from({ length: blanks }, (_, i) => <Text key={`blank-${i}`}> </Text>)}
    </Box>
  );
}
