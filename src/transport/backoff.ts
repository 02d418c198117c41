/**
 * The one backoff formula: `firstMs` before the first retry, doubling with each attempt, never more
 * than `maxMs`. Each user picks its own two numbers.
 */
export function exponentialBackoff(firstMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
}
