import type { Command } from '@oclif/core';

/** Explicit command map (oclif "explicit" discovery), so the CLI bundles into one file. */
export const COMMANDS: Record<string, Command.Class> = {};
