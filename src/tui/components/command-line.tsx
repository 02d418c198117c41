import { Box, Text } from 'ink';
import type { LogEntry } from '../events.js';
import type { Mode } from '../ui-state.js';

/** Props of CommandLine: the notice line above, the prompt line, and the mode that shapes it. */
export interface CommandLineProps {
  notice?: LogEntry;
  prompt: string;
  mode: Mode;
}

const LEVEL_COLOR = { info: undefined, warn: 'yellow', error: 'red' } as const;

/** The bottom two lines: a notice (answer, error or hint), then the command line, a question or key hints. */
export function CommandLine({ notice, prompt, mode }: CommandLineProps) {
  return (
    <Box flexDirection="column">
      <Text color={notice ? LEVEL_COLOR[notice.level] : undefined} dimColor={mode === 'command' && notice?.level === 'info'} wrap="truncate-end">
        {notice?.text || ' '}
      </Text>
      {mode === 'command' ? (
        <Text wrap="truncate-end">
          {prompt}
          {/* A drawn cursor, visible without colors too (the terminal's own cursor is hidden). */}
          <Text>█</Text>
        </Text>
      ) : (
        <Text color={mode === 'confirmQuit' || mode === 'confirmCancel' ? 'yellow' : undefined} dimColor={mode === 'normal'} wrap="truncate-end">{prompt}</Text>
      )}
    </Box>
  );
}
