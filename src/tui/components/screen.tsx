import { Box, Text } from 'ink';
import type { Mode } from '../ui-state.js';
import type { View } from '../view-model.js';
import { CommandLine } from './command-line.js';
import { EventLog } from './event-log.js';
import { HelpOverlay } from './help-overlay.js';
import { NodeTable } from './node-table.js';
import { Results } from './results.js';
import { Totals } from './totals.js';

/** Props of Screen: the built view, the mode, and the help text shown in help mode. */
export interface ScreenProps {
  view: View;
  mode: Mode;
  help: string[];
}

/** The whole screen: title, node table, totals, results and events (or help), and the command line. */
export function Screen({ view, mode, help }: ScreenProps) {
  // Help takes everything between the title and the command line.
  const body = view.nodeRows + 2 + view.results.rows + view.events.rows;
  return (
    <Box flexDirection="column" width={view.width}>
      <Text bold color={view.stale ? 'yellow' : undefined} wrap="truncate-end">{view.title}</Text>
      {mode === 'help' ? (
        <HelpOverlay lines={help} width={view.width} height={body} />
      ) : (
        <>
          <NodeTable header={view.header} rows={view.nodes} height={view.nodeRows} dim={view.stale} />
          <Totals text={view.totals} dim={view.stale} />
          <Results {...view.results} dim={view.stale} />
          <EventLog {...view.events} />
        </>
      )}
      <CommandLine notice={view.footer.notice} prompt={view.footer.prompt} mode={mode} />
    </Box>
  );
}
