import { Box, Text } from 'ink';
import type { JobState } from '../../protocol/view.js';
import type { ResultLineView } from '../view-model.js';

/** Props of Results: the section title, column header, newest finished jobs and the rows it fills. */
export interface ResultsProps {
  title: string;
  header: string;
  lines: ResultLineView[];
  rows: number;
  /** The scheduler stopped answering: these are its last results, drawn dim and without colors. */
  dim?: boolean;
}

const STATE_COLOR: Partial<Record<JobState, string>> = { succeeded: 'green', failed: 'red', lost: 'red', cancelled: 'yellow' };

/**
 * Finished jobs as a bounded list of the newest that fit, not <Static>: <Static> prints into the
 * scrollback above the live frame, which a full-screen, resizable view (alternate screen) does not have.
 */
export function Results({ title, header, lines, rows, dim = false }: ResultsProps) {
  if (rows <= 0) return null;
  const body = rows - 2;
  return (
    <Box flexDirection="column" height={rows}>
      <Text dimColor wrap="truncate-end">{title}</Text>
      {body > 0 && lines.length > 0 ? <Text bold={!dim} dimColor={dim} wrap="truncate-end">{header}</Text> : null}
      {body > 0 && lines.length === 0 ? <Text dimColor>no finished jobs yet</Text> : null}
      {lines.map((line) => (
        <Text key={line.id} color={dim ? undefined : STATE_COLOR[line.state]} dimColor={dim} wrap="truncate-end">{line.text}</Text>
      ))}
    </Box>
  );
}
