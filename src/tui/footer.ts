import type { LogEntry } from './events.js';
import { USAGE } from './commands.js';
import { RATE } from '../input/units.js';
import { firstFitting, truncate } from './format.js';
import type { UiState } from './ui-state.js';

const HINTS = [
  '↑↓ select  a add job  n add node  c cancel  p pause  : command  ? help  q quit',
  'a job  n node  c cancel  p pause  : cmd  ? help  q quit',
  '? help  q quit',
];

/** The keys and verbs, for the help screen. */
export function helpLines(): string[] {
  return [
    'Keys',
    '  ↑ ↓  j k     select a node (PgUp PgDn Home End)',
    '  a            add a job to the selected node',
    '  n            add a node',
    '  c            cancel the selected node\'s running job (asks first), or its next pending one',
    '  p            pause or resume the selected node\'s queue',
    '  :            command line (↑ ↓ recall, Esc leaves)',
    '  ?            this help',
    '  q            quit (schedule -i asks first while jobs run or wait)',
    '',
    'Commands (the old prompt\'s add_node / add_job work too)',
    ...Object.values(USAGE).map((usage) => `  ${usage}`),
    '',
    `A job's rate, one of: "rate": frame bits/s, ${RATE.examples} (Mbit/s alone); "pps": frames/s; "m": whole Mbit/s`,
    'Expectations fail a job that ran but missed them: max_loss=0.1% max_rtt_p99=500us (with "l": true) min_rate=99%',
  ];
}

/** The usage of the verb being typed, or how the command line works. */
function typingHint(input: string): string {
  const word = input.trim().split(/\s+/)[0] ?? '';
  const usage = (USAGE as Record<string, string>)[word];
  return usage ? `expected: ${usage}` : 'Enter runs the command · Esc leaves · ↑ recalls';
}

/** The two bottom lines: a notice (answer, error, hint) and the prompt or key hints. */
export function footerLines(ui: UiState, width: number): { notice?: LogEntry; prompt: string } {
  const fitNotice = (entry: LogEntry | undefined): LogEntry | undefined => entry && { ...entry, text: truncate(entry.text, width) };
  switch (ui.mode) {
    case 'command': {
      // Leave a cell for the cursor; a long line shows its end, where the typing is.
      const room = Math.max(1, width - 3);
      const shown = ui.input.length > room ? `…${ui.input.slice(-(room - 1))}` : ui.input;
      return { notice: fitNotice(ui.notice ?? { at: 0, level: 'info', text: typingHint(ui.input) }), prompt: `: ${shown}` };
    }
    case 'confirmQuit':
      return { notice: fitNotice(ui.notice), prompt: truncate('Quit anyway? y = quit, n = stay', width) };
    case 'confirmCancel':
      return { notice: fitNotice(ui.notice), prompt: truncate(`Cancel ${ui.cancelling?.jobId ?? 'it'}? y = cancel it, n = keep it running`, width) };
    case 'help':
      return { notice: fitNotice(ui.notice), prompt: truncate('any key closes help', width) };
    default:
      return { notice: fitNotice(ui.notice), prompt: firstFitting(HINTS, width) };
  }
}
