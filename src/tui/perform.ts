import { describeError } from '../errors.js';
import type { TuiBackend } from './backend.js';
import type { LogEntry } from './events.js';
import type { UiEffect } from './keys.js';

// A refused job needs no verb in front: the scheduler's message names it ("add_job: t = 0: ...").
const VERB = { addJobs: '', addNodes: 'add_node: ', cancel: 'cancel: ' } as const;

/** Carries out one effect on the backend; resolves (never rejects) with the answer to show the user. */
export async function perform(backend: TuiBackend, effect: Exclude<UiEffect, { type: 'quit' }>, now: () => number = Date.now): Promise<LogEntry> {
  const answer = (level: LogEntry['level'], text: string): LogEntry => ({ at: now(), level, text });
  try {
    switch (effect.type) {
      case 'addJobs': {
        const ids = await backend.addJobs(effect.jobs);
        const nodes = effect.nodes.join(', ');
        return answer('info', `queued ${ids.join(', ') || 'nothing'} on ${nodes}`);
      }
      case 'addNodes':
        await backend.addNodes(effect.nodes);
        return answer('info', `added ${effect.nodes.map((n) => `${n.name} (${n.host}:${n.port})`).join(', ')}`);
      case 'cancel':
        await backend.cancel(effect.jobId);
        return answer('info', `cancelling ${effect.jobId}${effect.node ? ` on ${effect.node}` : ''}`);
      case 'setPaused':
        await backend.setPaused(effect.node, effect.paused);
        return answer('info', `${effect.node} ${effect.paused ? 'paused' : 'resumed'}`);
    }
  } catch (error) {
    const verb = effect.type === 'setPaused' ? (effect.paused ? 'pause: ' : 'resume: ') : VERB[effect.type];
    // The backend's message is meant for the user as is (backend.ts).
    return answer('error', `${verb}${error instanceof Error ? error.message : describeError(error)}`);
  }
}
