import { type Hook, toConfiguredId } from '@oclif/core';
import { UserError } from './errors.js';

/**
 * oclif's command_not_found hook: a usage error naming the closest command (`pktgen serv`: did you
 * mean serve?). Unlike @oclif/plugin-not-found it suggests without a prompt, so scripts see it too.
 */
export const commandNotFound: Hook.CommandNotFound = async function ({ config, id }) {
  const ids = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const suggestion = closestCommand(id, ids);
  const hint = suggestion ? `; did you mean ${toConfiguredId(suggestion, config)}?` : '';
  throw new UserError(`${toConfiguredId(id, config)} is not a ${config.bin} command${hint} (${config.bin} help lists them)`, 'ERR_UNKNOWN_COMMAND');
};

/** The id nearest to `typed` by edit distance, if it is near enough to be a typo of it (at most half its letters differ). */
export function closestCommand(typed: string, ids: string[]): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const id of ids) {
    const distance = editDistance(typed, id);
    if (distance <= Math.max(typed.length, id.length) / 2 && (!best || distance < best.distance)) best = { id, distance };
  }
  return best?.id;
}

/** Levenshtein distance: the fewest one-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
