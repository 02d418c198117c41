import { Box, Text } from 'ink';
import { truncate } from '../format.js';

/** Props of HelpOverlay: the help text and the room it has. */
export interface HelpOverlayProps {
  lines: string[];
  width: number;
  height: number;
}

/** The keys and commands, in place of the results and events; cut to fit. */
export function HelpOverlay({ lines, width, height }: HelpOverlayProps) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(0, height).map((line, i) => (
        <Text key={i} bold={i === 0 || (i > 0 && lines[i - 1] === '')}>{truncate(line, width) || ' '}</Text>
      ))}
    </Box>
  );
}
