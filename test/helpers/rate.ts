import assert from 'node:assert/strict';

/**
 * Asserts that a measured rate (or an amount of traffic) is within 0.5x..1.5x of what was asked
 * for: traffic flowed at about the right rate. How close it gets is timing, measured side by side
 * in bench/emit-rate.ts, not asserted by tests on a shared machine.
 */
export function assertSaneRate(actual: number, requested: number, what: string): void {
  assert.ok(actual >= requested * 0.5 && actual <= requested * 1.5, `${what}: ${actual}, expected ${requested} x 0.5..1.5`);
}
