import type fc from 'fast-check';

/** One thing to fuzz: how to make its inputs, and what must hold for each. */
export interface Target<T> {
  /** Stable name, for `npm run fuzz -- --target NAME` and the report. */
  name: string;
  /** Share of the inputs this target gets, relative to the others. */
  weight: number;
  arbitrary: fc.Arbitrary<T>;
  /** Runs the code under test on one input; throws on a failure. */
  check(input: T): void;
  /** The input as a reproducer prints it (hex for bytes, JSON for text). */
  show(input: T): string;
}

/** A failure: the code under test threw something it does not document. */
export class UnexpectedError extends Error {
  constructor(what: string, cause: unknown) {
    const detail = cause instanceof Error ? `${cause.constructor.name}: ${cause.message}` : String(cause);
    super(`${what} threw ${detail}`, { cause });
  }
}

/** Wraps an error the code under test should never throw, naming what threw it. */
export const unexpected = (what: string, cause: unknown): UnexpectedError => new UnexpectedError(what, cause);
