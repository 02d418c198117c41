import { execFileSync } from 'node:child_process';

/** A detached tmux session: a real pseudo-terminal to drive a full-screen program and read its screen. */
export class TmuxSession {
  constructor(readonly name: string, width = 80, height = 24) {
    execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), 'bash --norc --noprofile'], {
      env: { ...process.env, TERM: 'xterm-256color', PS1: '$ ' },
    });
  }

  /** tmux is on the machine (CI installs it). */
  static available(): boolean {
    try {
      execFileSync('tmux', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  /** Types text; `enter` presses Enter after it. */
  type(text: string, enter = false): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
    if (enter) this.keys('Enter');
  }

  /** Presses named keys (Enter, Down, C-c ...). */
  keys(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  /** The visible screen as text lines. */
  screen(): string[] {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name]).toString().split('\n');
  }

  /** A tmux format value of the pane, e.g. '#{cursor_flag}'. */
  display(format: string): string {
    return execFileSync('tmux', ['display', '-p', '-t', this.name, format]).toString().trim();
  }

  resize(width: number, height: number): void {
    execFileSync('tmux', ['resize-window', '-t', this.name, '-x', String(width), '-y', String(height)]);
  }

  /** Polls the screen until `ok` holds; fails with the last screen. */
  async waitFor(what: string, ok: (lines: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.screen();
      if (ok(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

/** Reads one column of a node's row by the header's position: the cell under `column`. */
export function cell(lines: string[], node: string, column: string): string | undefined {
  const header = lines.find((l) => l.includes('NODE') && l.includes(column));
  const row = lines.find((l) => new RegExp(`^[ ›>*]*${node}\\s`).test(l));
  if (!header || !row) return undefined;
  const start = header.indexOf(column);
  // Numbers are right-aligned under their header: the last word of the span that ends with the header.
  return row.slice(Math.max(0, start - 3), start + column.length).trim().split(/\s+/).pop();
}
