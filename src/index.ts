import type { Command } from '@oclif/core';
import { commands as helpCommands } from '@oclif/plugin-help';
import Autocomplete from './commands/autocomplete.js';
import Keygen from './commands/keygen.js';
import Report from './commands/report.js';
import Schedule from './commands/schedule.js';
import Serve from './commands/serve.js';
import Status from './commands/status.js';
import Submit from './commands/submit.js';

/** Explicit command map (oclif "explicit" discovery), so the CLI bundles into one file. */
export const COMMANDS: Record<string, Command.Class> = {
  ...helpCommands,
  autocomplete: Autocomplete,
  keygen: Keygen,
  report: Report,
  schedule: Schedule,
  serve: Serve,
  status: Status,
  submit: Submit,
};
