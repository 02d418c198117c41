import type { Snapshot } from '../protocol/view.js';
import type { JobRequest, NodeRequest } from '../protocol/control-messages.js';
import { parseCommand } from './commands.js';
import { plural } from './format.js';
import { clampScroll, type UiState } from './ui-state.js';

/** One key: a character typed, or a named key. */
export type KeyPress = { char: string } | { name: 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'ctrlC' };

/** What a key asks the backend (or the app) to do. */
export type UiEffect =
  | { type: 'addJobs'; jobs: JobRequest[]; nodes: string[] }
  | { type: 'addNodes'; nodes: NodeRequest[] }
  | { type: 'cancel'; jobId: string; node: string }
  | { type: 'setPaused'; node: string; paused: boolean }
  | { type: 'quit' };

/** What the keys need to know besides the UI state. */
export interface KeyContext {
  snapshot?: Snapshot;
  /** Node rows on screen: the step of PgUp/PgDn. */
  pageSize: number;
  /** Milliseconds since the epoch, for the time of a notice. */
  now: number;
  /**
   * Quitting stops the scheduler (`schedule -i`): q asks first while jobs run or wait. A viewer
   * (`status --watch`) stops nothing by quitting, so it quits at once.
   */
  quitStopsJobs?: boolean;
}

type Result = { ui: UiState; effects: UiEffect[] };
const stay = (ui: UiState, patch: Partial<UiState> = {}): Result => ({ ui: { ...ui, ...patch }, effects: [] });

/** Applies one key to the UI state: the next state, and what to ask the backend. */
export function reduceKey(ui: UiState, key: KeyPress, ctx: KeyContext): Result {
  if ('name' in key && key.name === 'ctrlC') return { ui, effects: [{ type: 'quit' }] };
  switch (ui.mode) {
    case 'help': return stay(ui, { mode: 'normal' });
    case 'confirmQuit':
      if ('char' in key && /^y$/i.test(key.char)) return { ui, effects: [{ type: 'quit' }] };
      if (('char' in key && /^n$/i.test(key.char)) || ('name' in key && key.name === 'escape')) return stay(ui, { mode: 'normal', notice: undefined });
      return stay(ui);
    case 'confirmCancel': {
      const { jobId, node } = ui.cancelling!;
      if ('char' in key && /^y$/i.test(key.char)) return { ui: { ...ui, mode: 'normal', cancelling: undefined }, effects: [{ type: 'cancel', jobId, node }] };
      if (('char' in key && /^n$/i.test(key.char)) || ('name' in key && key.name === 'escape')) {
        return stay(ui, { mode: 'normal', cancelling: undefined, notice: { at: ctx.now, level: 'info', text: `${jobId} keeps running on ${node}` } });
      }
      return stay(ui);
    }
    case 'command': return commandKey(ui, key, ctx);
    default: return normalKey(ui, key, ctx);
  }
}

function normalKey(ui: UiState, key: KeyPress, ctx: KeyContext): Result {
  const nodes = ctx.snapshot?.nodes ?? [];
  const node = nodes[Math.min(ui.selected, nodes.length - 1)];
  const move = (to: number): Result => {
    const selected = Math.max(0, Math.min(nodes.length - 1, to));
    return stay(ui, { selected, scroll: clampScroll(selected, ui.scroll, ctx.pageSize, nodes.length) });
  };
  const name = 'name' in key ? key.name : { k: 'up', j: 'down', g: 'home', G: 'end' }[key.char];
  switch (name) {
    case 'up': return move(ui.selected - 1);
    case 'down': return move(ui.selected + 1);
    case 'pageUp': return move(ui.selected - ctx.pageSize);
    case 'pageDown': return move(ui.selected + ctx.pageSize);
    case 'home': return move(0);
    case 'end': return move(nodes.length - 1);
    case 'escape': return stay(ui, { notice: undefined });
  }
  const char = 'char' in key ? key.char : '';
  const command = (input: string): Result => stay(ui, { mode: 'command', input, notice: undefined, historyIndex: ui.history.length });
  if (char === ':') return command('');
  if (char === 'n') return command('add_node ');
  if (char === '?') return stay(ui, { mode: 'help' });
  if (char === 'q') return quit(ui, ctx);
  if (!['a', 'c', 'p'].includes(char)) return stay(ui);
  if (!node) return stay(ui, { notice: { at: ctx.now, level: 'info', text: 'no nodes yet: press n to add one' } });
  if (char === 'a') return command(`add_job ${node.name} `);
  if (char === 'p') return { ui, effects: [{ type: 'setPaused', node: node.name, paused: !node.paused }] };
  // A running job loses its measurement when cancelled: ask. A pending one has nothing to lose yet
  // and can be queued again, so it goes at once.
  if (node.running_job) {
    const cancelling = { jobId: node.running_job, node: node.name };
    return stay(ui, { mode: 'confirmCancel', cancelling, notice: { at: ctx.now, level: 'warn', text: `${cancelling.jobId} is running on ${node.name}.` } });
  }
  const jobId = nextPending(ctx.snapshot!, node.name);
  if (!jobId) return stay(ui, { notice: { at: ctx.now, level: 'info', text: `${node.name} has no running or pending job to cancel` } });
  return { ui, effects: [{ type: 'cancel', jobId, node: node.name }] };
}

/** The job a node runs next: lowest priority value, then queue order. */
function nextPending(snapshot: Snapshot, node: string): string {
  const queued = snapshot.jobs.filter((job) => job.node === node && job.state === 'pending');
  queued.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  return queued[0]?.id ?? '';
}

function quit(ui: UiState, { snapshot, now, quitStopsJobs = true }: KeyContext): Result {
  if (!quitStopsJobs) return { ui, effects: [{ type: 'quit' }] };
  const running = snapshot?.nodes.filter((n) => n.running_job).length ?? 0;
  const pending = snapshot?.nodes.reduce((sum, n) => sum + n.pending, 0) ?? 0;
  if (running + pending === 0) return { ui, effects: [{ type: 'quit' }] };
  const text = `${plural(running, 'job')} running, ${pending} pending.`;
  return stay(ui, { mode: 'confirmQuit', input: '', notice: { at: now, level: 'warn', text } });
}

function commandKey(ui: UiState, key: KeyPress, ctx: KeyContext): Result {
  if ('char' in key) return stay(ui, { input: ui.input + key.char.replace(/[\x00-\x1f\x7f]/g, ' '), notice: undefined });
  switch (key.name) {
    case 'backspace': return stay(ui, { input: ui.input.slice(0, -1), notice: undefined });
    case 'escape': return stay(ui, { mode: 'normal', input: '', notice: undefined });
    case 'up': case 'down': {
      const index = Math.max(0, Math.min(ui.history.length, ui.historyIndex + (key.name === 'up' ? -1 : 1)));
      return stay(ui, { historyIndex: index, input: ui.history[index] ?? '' });
    }
    case 'enter': break;
    default: return stay(ui);
  }
  const known = ctx.snapshot ? new Set(ctx.snapshot.nodes.map((n) => n.name)) : undefined;
  const parsed = parseCommand(ui.input, known);
  if (parsed.type === 'error') return stay(ui, { notice: { at: ctx.now, level: 'error', text: parsed.message } });
  const history = parsed.type === 'none' ? ui.history : [...ui.history.filter((h) => h !== ui.input.trim()), ui.input.trim()].slice(-50);
  const done: UiState = { ...ui, mode: 'normal', input: '', notice: undefined, history, historyIndex: history.length };
  switch (parsed.type) {
    case 'addJob': return { ui: done, effects: [{ type: 'addJobs', jobs: [parsed.job], nodes: parsed.nodes }] };
    case 'addNode': return { ui: done, effects: [{ type: 'addNodes', nodes: [parsed.node] }] };
    case 'cancel': return { ui: done, effects: [{ type: 'cancel', jobId: parsed.jobId, node: '' }] };
    case 'pause': return { ui: done, effects: [{ type: 'setPaused', node: parsed.node, paused: parsed.paused }] };
    case 'help': return stay(done, { mode: 'help' });
    case 'quit': return quit(done, ctx);
    default: return stay(done);
  }
}

/** Ink's (input, key) as key presses; a chunk of typed or pasted text becomes one press per character. */
export function keyPresses(input: string, key: Partial<Record<'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'backspace' | 'delete' | 'ctrl', boolean>>): KeyPress[] {
  if (key.ctrl && input === 'c') return [{ name: 'ctrlC' }];
  const named = ([['upArrow', 'up'], ['downArrow', 'down'], ['pageUp', 'pageUp'], ['pageDown', 'pageDown'], ['home', 'home'], ['end', 'end'],
    ['return', 'enter'], ['escape', 'escape'], ['backspace', 'backspace'], ['delete', 'backspace']] as const).find(([flag]) => key[flag]);
  if (named) return [{ name: named[1] }];
  if (key.ctrl) return [];
  // tmux send-keys and pastes deliver "text\r" in one chunk: each line break is an Enter.
  return [...input].map((char): KeyPress => (char === '\r' || char === '\n' ? { name: 'enter' } : { char }));
}
