/** The signals that ask a daemon to stop: Ctrl-C, `kill`, and the terminal it ran in closing. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The first stop signal, and how to let go of the handlers. */
export interface StopSignals {
  /** Resolves with the first stop signal that arrives. */
  received: Promise<StopSignal>;
  /** Removes the handlers: the signals' default actions apply again. */
  dispose(): void;
}

/**
 * Catches the stop signals until disposed: the first resolves `received`, later ones go to
 * `again` (the stop under way is bounded; a second signal does not cut it short).
 *
 * The handlers stay registered, never `process.once`: a `once` handler is removed before the others
 * run, and execa's exit hook (signal-exit) that finds itself the only handler left re-raises the
 * signal, killing the process mid-shutdown (exit 143 on SIGTERM while a helper ran).
 */
export function catchStopSignals(again: (signal: StopSignal) => void = () => undefined): StopSignals {
  let first: ((signal: StopSignal) => void) | undefined;
  const received = new Promise<StopSignal>((resolve) => (first = resolve));
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (first) {
        first(signal);
        first = undefined;
      } else {
        again(signal);
      }
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return { received, dispose: () => handlers.forEach(([signal, handler]) => process.off(signal, handler)) };
}
