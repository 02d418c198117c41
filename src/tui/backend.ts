import type { JobRequest, NodeRequest } from '../protocol/control-messages.js';
import type { Snapshot } from '../protocol/view.js';

/**
 * What the terminal UI drives: the scheduler in this process (`pktgen schedule -i`) or a running one
 * through the control API (`pktgen status --watch`). Errors reject with an Error whose message is
 * shown to the user as is.
 */
export interface TuiBackend {
  /** A description for the title line, e.g. "scheduler 127.0.0.1:1801". */
  readonly label: string;
  snapshot(): Promise<Snapshot>;
  addJobs(jobs: JobRequest[]): Promise<string[]>;
  addNodes(nodes: NodeRequest[]): Promise<void>;
  cancel(jobId: string): Promise<void>;
  setPaused(node: string, paused: boolean): Promise<void>;
}
