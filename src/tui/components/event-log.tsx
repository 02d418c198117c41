import { Box, Text } from 'ink';
import type { LogEntry } from '../events.js';

/** Props of EventLog: the section title, the newest entries (already fitted) and the rows it fills. */
export interface EventLogProps {
  title: string;
  lines: LogEntry[];
  rows: number;
}

const LEVEL_COLOR = { info: undefined, warn: 'yellow', error: 'red' } as const;

/** The newest events, oldest first, colored by level. */
export function EventLog({ title, lines, rows }: EventLogProps) {
  if (rows <= 0) return null;
  return (
    <Box flexDirection="column" height={rows}>
      <Text dimColor wrap="truncate-end">{title}</Text>
      {lines.map((entry, i) => (
        <Text key={`${entry.at}-${i}`} color={LEVEL_COLOR[entry.level]} wrap="truncate-end">{entry.text}</Text>
      ))}
    </Box>
  );
}
