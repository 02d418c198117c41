import { useEffect, useRef, useState } from 'react';
import { useApp, useInput, useWindowSize } from 'ink';
import type { Snapshot } from '../protocol/view.js';
import type { TuiBackend } from './backend.js';
import { Screen } from './components/screen.js';
import { appendLog, type LogEntry } from './events.js';
import { helpLines } from './footer.js';
import { keyPresses, reduceKey, type UiEffect } from './keys.js';
import { Poller } from './poller.js';
import { perform } from './perform.js';
import { initialUiState, type TerminalSize, type UiState } from './ui-state.js';
import { buildView } from './view-model.js';

/** Props of App: the backend it drives, the poll interval, and a fixed size (tests) instead of the terminal's. */
export interface AppProps {
  backend: TuiBackend;
  pollMs?: number;
  size?: TerminalSize;
  now?: () => number;
  /** Quitting stops the scheduler (schedule -i), so q asks first while jobs run or wait (default true). */
  quitStopsJobs?: boolean;
}

const HELP = helpLines();

/** The live view: polls the backend, re-renders, and turns keys into backend calls; exit() yields the last snapshot. */
export function App({ backend, pollMs = 500, size, now = Date.now, quitStopsJobs = true }: AppProps) {
  const { exit } = useApp();
  const terminal = useWindowSize();
  const [snapshot, setSnapshot] = useState<Snapshot>();
  const [log, setLog] = useState<LogEntry[]>([]);
  const [ui, setUi] = useState<UiState>(initialUiState);
  // When polls began to fail: the header says so and the last answer is shown dimmed until one succeeds.
  const [disconnectedSince, setDisconnectedSince] = useState<number>();
  // Keys can arrive faster than React renders: each one must see the state the previous one left.
  const uiRef = useRef(ui);
  const pollerRef = useRef<Poller>(undefined);
  const update = (change: (state: UiState) => UiState): void => {
    uiRef.current = change(uiRef.current);
    setUi(uiRef.current);
  };
  const addLog = (entries: LogEntry[]): void => setLog((old) => appendLog(old, entries));

  useEffect(() => {
    const poller = new Poller(backend, pollMs, {
      onSnapshot: (next, events) => {
        setSnapshot(next);
        setDisconnectedSince(undefined);
        addLog(events);
      },
      onError: (entry) => {
        setDisconnectedSince((since) => since ?? entry.at);
        addLog([entry]);
      },
    }, now);
    pollerRef.current = poller;
    poller.start();
    return () => poller.stop();
  }, [backend, pollMs, now]);

  const view = buildView({ snapshot, ui, log, size: size ?? terminal, label: backend.label, disconnectedSince });

  const run = (effect: UiEffect): void => {
    if (effect.type === 'quit') {
      exit(pollerRef.current?.latest);
      return;
    }
    void perform(backend, effect, now).then((answer) => {
      update((state) => ({ ...state, notice: answer }));
      if (answer.level === 'error') addLog([answer]);
      pollerRef.current?.refresh();
    });
  };

  useInput((input, key) => {
    const effects: UiEffect[] = [];
    for (const press of keyPresses(input, key)) {
      const result = reduceKey(uiRef.current, press, { snapshot: pollerRef.current?.latest, pageSize: view.nodeRows, now: now(), quitStopsJobs });
      update(() => result.ui);
      effects.push(...result.effects);
    }
    effects.forEach(run);
  });

  return <Screen view={view} mode={ui.mode} help={HELP} />;
}
