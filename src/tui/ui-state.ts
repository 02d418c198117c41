import type { LogEntry } from './events.js';

/** What the keys currently do: move and act, type a command, read help, or answer "quit?" or "cancel?". */
export type Mode = 'normal' | 'command' | 'help' | 'confirmQuit' | 'confirmCancel';

/** The UI's own state, apart from scheduler data and terminal size. */
export interface UiState {
  /** Index into the snapshot's nodes. */
  selected: number;
  /** Index of the first node row shown. */
  scroll: number;
  mode: Mode;
  /** The command line's text (command mode). */
  input: string;
  /** The answer to the user's last action, shown above the command line. */
  notice?: LogEntry;
  /** Commands entered, oldest first, and the one being recalled (history.length = none). */
  history: string[];
  historyIndex: number;
  /** The running job `c` asked about (confirmCancel mode). */
  cancelling?: { jobId: string; node: string };
}

/** The state a fresh UI starts in. */
export function initialUiState(): UiState {
  return { selected: 0, scroll: 0, mode: 'normal', input: '', history: [], historyIndex: 0 };
}

/** The terminal's size in character cells. */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Keeps `selected` within `visible` rows starting at the returned offset. */
export function clampScroll(selected: number, scroll: number, visible: number, total: number): number {
  if (visible <= 0 || total <= visible) return 0;
  let offset = Math.min(Math.max(0, scroll), total - visible);
  if (selected < offset) offset = selected;
  if (selected >= offset + visible) offset = selected - visible + 1;
  return Math.max(0, offset);
}
