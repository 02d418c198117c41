import type { Snapshot } from '../protocol/view.js';
import { firstFitting, formatMbps, plural } from './format.js';

/** The totals line: nodes by health, jobs by state and the live aggregate rate, as much as fits. */
export function totalsLine(snapshot: Snapshot, width: number): string {
  const nodes = snapshot.nodes;
  const sum = (pick: (n: (typeof nodes)[number]) => number): number => nodes.reduce((total, n) => total + pick(n), 0);
  const up = nodes.filter((n) => n.health === 'up').length;
  const down = nodes.filter((n) => n.health === 'down').length;
  const paused = nodes.filter((n) => n.paused).length;
  const running = nodes.filter((n) => n.running_job).length;
  const [pending, done, failed, mbps] = [sum((n) => n.pending), sum((n) => n.done), sum((n) => n.failed), sum((n) => n.live_mbps)];
  const cancelled = sum((n) => n.cancelled);
  const health = [`${up} up`, down && `${down} down`, paused && `${paused} paused`].filter(Boolean).join(', ');
  const rate = running > 0 ? ` · ${formatMbps(mbps)} Mbit/s` : '';
  // Cancelled jobs are their own count, never part of failed; shown once there are any.
  const [canc, cancShort] = cancelled > 0 ? [` · ${cancelled} cancelled`, ` canc ${cancelled}`] : ['', ''];
  const store = snapshot.store_error ? 'STATE NOT SAVED · ' : '';
  return firstFitting([
    `${store}${plural(nodes.length, 'node')}: ${health} · ${running} running · ${pending} pending · ${done} done · ${failed} failed${canc}${rate}`,
    `${store}${plural(nodes.length, 'node')} (${health}) · run ${running} · pend ${pending} · done ${done} · fail ${failed}${canc}`,
    `${store}nodes ${nodes.length}${down ? ` (${down} down)` : ''} run ${running} pend ${pending} done ${done} fail ${failed}${cancShort}`,
    `${store}run ${running} pend ${pending} done ${done} fail ${failed}${cancShort}`,
  ], width);
}
