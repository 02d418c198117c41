import { formatDuration } from '../input/duration.js';
import { isFinal, type JobInfo, type NodeInfo } from '../protocol/view.js';
import { formatAddress } from '../transport/address.js';
import { escapeControl } from '../text.js';

/** How many open jobs a report names one by one; the rest are counted. */
export const OPEN_JOBS_SHOWN = 20;

/** `2026-12-01T10:00:03Z (45 s ago)`. */
function sinceText(ms: number, now: number): string {
  return `${new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')} (${formatDuration(now - ms)} ago)`;
}

/** `node m0 is down since 2026-12-01T10:00:03Z (45 s ago)`, or '' for a node that is not down. */
export function downText(node: NodeInfo, now: number): string {
  if (node.health !== 'down') return '';
  return `node ${node.name} is down${node.down_since > 0 ? ` since ${sinceText(node.down_since, now)}` : ''}`;
}

/** Jobs of a node not yet finished, as the node list counts them: queued, and the one it is busy with. */
const openOn = (node: NodeInfo): number => node.pending + (node.running_job ? 1 : 0);

/**
 * Why a job has not finished yet, in a user's words: where it is (queued behind N jobs, sent and not
 * started, running for X) and what holds it (its node down since when, paused, never reached).
 * `ahead`: jobs before it on its node, when the scheduler was asked (ControlRequest.explain).
 */
export function whyOpen(job: JobInfo, node: NodeInfo | undefined, ahead: number | undefined, now: number): string {
  if (!node) return `its node ${job.node} is no longer known`;
  const down = downText(node, now);
  let where: string;
  let hold = down;
  switch (job.state) {
    case 'pending':
      where = ahead === undefined ? `queued on ${node.name}` : ahead === 0 ? `next to run on ${node.name}` : `queued behind ${ahead} job(s) on ${node.name}`;
      if (!hold && node.paused) hold = `node ${node.name} is paused`;
      else if (!hold && node.health === 'unknown') hold = `node ${node.name} has not been reached yet`;
      break;
    case 'sent':
      where = `sent to ${node.name}${job.sent_at > 0 ? ` ${formatDuration(now - job.sent_at)} ago` : ''}, not started yet`;
      break;
    case 'running':
      where = `running on ${node.name} for ${formatDuration(now - job.started_at)} (w + t = ${job.data.w + job.data.t} s)`;
      break;
    default:
      return job.state;
  }
  return hold ? `${where}; ${hold}` : where;
}

/** One line per open job (the first OPEN_JOBS_SHOWN, then a count): `j... on m0 (pending): why`. */
export function openJobLines(jobs: readonly JobInfo[], nodes: readonly NodeInfo[], ahead: Readonly<Record<string, number>>, now: number): string[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const open = jobs.filter((job) => !isFinal(job));
  const lines = open.slice(0, OPEN_JOBS_SHOWN).map((job) =>
    escapeControl(`  ${job.id} on ${job.node} (${job.state}): ${whyOpen(job, byName.get(job.node), ahead[job.id], now)}`));
  if (open.length > OPEN_JOBS_SHOWN) lines.push(`  ... and ${open.length - OPEN_JOBS_SHOWN} more`);
  return lines;
}

/** For each node that is down and holds open jobs: `node m0 (HOST:PORT) is down since ...: N job(s) wait for it`. */
export function downNodeLines(nodes: readonly NodeInfo[], now: number): string[] {
  return nodes.filter((node) => node.health === 'down' && openOn(node) > 0)
    .map((node) => escapeControl(`${downText(node, now).replace(`node ${node.name}`, `node ${node.name} (${formatAddress(node)})`)}: ${openOn(node)} job(s) wait for it`));
}
