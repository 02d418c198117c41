/** Base class of every error pktgen raises on purpose; `code` is stable and documented. */
export class PktgenError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input the user can fix (a bad file, a flag out of range): one line, exit code 2, no stack. */
export class UserError extends PktgenError {
  readonly exitCode = 2;
  constructor(message: string, code = 'ERR_USAGE', options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** Exit code of a bounded wait that ran out with jobs still open (submit --wait --timeout, schedule --deadline). */
export const EXIT_TIMED_OUT = 3;

/** A peer (node, scheduler) or the helper failed: says which one and what it said. */
export class PeerError extends PktgenError {}

/** Turns anything thrown into one line for a log or a terminal. */
export function describeError(error: unknown): string {
  if (error instanceof PktgenError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
