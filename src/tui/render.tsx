import { render } from 'ink';
import type { Snapshot } from '../protocol/view.js';
import type { TuiBackend } from './backend.js';
import { App } from './app.js';

/** Streams and settings for the interactive view. */
export interface RenderOptions {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  pollMs: number;
  signal: AbortSignal;
  alternateScreen: boolean;
  /** q asks first while jobs run or wait, because quitting stops them (schedule -i). */
  quitStopsJobs: boolean;
}

/** Shows the App until the user quits or `signal` aborts; resolves with the last snapshot seen. */
export async function renderApp(backend: TuiBackend, options: RenderOptions): Promise<Snapshot | undefined> {
  const instance = render(<App backend={backend} pollMs={options.pollMs} quitStopsJobs={options.quitStopsJobs} />, {
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
    // Ctrl+C is a key like q (without the question); Ink's own handler would skip our cleanup order.
    exitOnCtrlC: false,
    // runTui already chose a terminal: Ink's own guess (is-in-ci) would draw nothing but the last frame under CI=true.
    interactive: true,
    alternateScreen: options.alternateScreen,
    incrementalRendering: true,
  });
  const stop = (): void => instance.unmount();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    return (await instance.waitUntilExit()) as Snapshot | undefined;
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}
