import { setTimeout as sleep } from 'node:timers/promises';
import { controlRequest, type ControlPeer } from '../../src/control/client.js';
import type { JobState, Snapshot } from '../../src/protocol/view.js';

/** A job as the watcher saw it at one moment; a new sighting is kept only when state or reason changed. */
export interface Sighting {
  state: JobState;
  reason: string;
  at: number;
}

/**
 * Watches a scheduler through its control API every few hundred ms for the whole test, and keeps
 * every change of each job's state: a job that ends twice (lost, then succeeded) shows here even when
 * the final `pktgen status --json` shows only its last state. It asks in-process, through the same
 * control client the binary uses: a `pktgen status` process four times a second would take a quarter
 * of a core on a two-core machine. A scheduler that is down is simply not seen until it is back.
 */
export class JobWatcher {
  readonly histories = new Map<string, Sighting[]>();
  latest?: Snapshot;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly peer: ControlPeer, private readonly everyMs = 250) {
    this.loop = this.run();
  }

  /** Stops watching; resolves once the last request is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Waits until `ok` holds for the latest snapshot; false if it does not within `timeoutMs`. */
  async until(ok: (snapshot: Snapshot) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.latest && ok(this.latest))) {
      if (Date.now() > deadline || this.stopped) return false;
      await sleep(50);
    }
    return true;
  }

  /** The first time a sighting of `jobId` matched `ok`, if one did. */
  firstSeen(jobId: string, ok: (sighting: Sighting) => boolean): number | undefined {
    return this.histories.get(jobId)?.find(ok)?.at;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        this.record(await controlRequest(this.peer, { query: true }));
      } catch {
        // The scheduler is down (killed by the test) or restarting: nothing to see now.
      }
      await sleep(this.everyMs);
    }
  }

  private record(snapshot: Snapshot): void {
    const at = Date.now();
    this.latest = snapshot;
    for (const job of snapshot.jobs) {
      const history = this.histories.get(job.id) ?? [];
      const last = history.at(-1);
      if (last?.state !== job.state || last.reason !== job.reason) history.push({ state: job.state, reason: job.reason, at });
      this.histories.set(job.id, history);
    }
  }
}
