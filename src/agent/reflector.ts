import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { buildReflectorArgs, parseReflectorLine, type ReflectorSpec } from '../emitter/reflect-spec.js';
import { formatAddress, type Address } from '../transport/address.js';
import { exponentialBackoff } from '../transport/backoff.js';

/** What a node's reflector needs; commands/serve.ts builds it from flags. */
export interface ReflectorOptions {
  spec: ReflectorSpec;
  helperPath: () => Promise<string>;
  log: Logger;
  /** Delay before restart number `attempt` (1, 2, ...); default {@link reflectorBackoffMs}. */
  backoffMs?: (attempt: number) => number;
  /** A run that lasted this long was healthy: the next failure starts the backoff over. */
  healthyAfterMs?: number;
  /** Time a stopped reflector gets to print its summary before it is killed. */
  stopGraceMs?: number;
}

/** Restart delays: 0.25 s, 0.5 s, 1 s, ... doubling up to 30 s. */
export const reflectorBackoffMs = exponentialBackoff(250, 30_000);

/**
 * Runs `pktgen-emit reflect` as a child process for as long as the node runs: restarts it with
 * backoff when it dies (a port taken by someone else, a crash), stops it on shutdown.
 */
export class Reflector {
  private child?: ChildProcess;
  private closed?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private attempt = 0;
  private bound?: Address;
  private settleFirst?: (address: Address | undefined) => void;

  constructor(private readonly options: ReflectorOptions) {}

  /** Starts the reflector; resolves with where it listens, or undefined if its first start failed (it keeps retrying). */
  start(): Promise<Address | undefined> {
    const first = new Promise<Address | undefined>((resolve) => (this.settleFirst = resolve));
    void this.launch();
    return first;
  }

  /** Where the reflector listens right now, if it runs. */
  get address(): Address | undefined {
    return this.bound;
  }

  /** Stops the reflector (SIGTERM, then SIGKILL after the grace time) and any pending restart. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child || !this.closed) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs ?? 2000);
    await this.closed;
    clearTimeout(kill);
  }

  private settle(address: Address | undefined): void {
    this.settleFirst?.(address);
    this.settleFirst = undefined;
  }

  private async launch(): Promise<void> {
    const { spec, log } = this.options;
    let helper: string;
    try {
      helper = await this.options.helperPath();
    } catch (error) {
      return this.exited(`cannot find the helper (${describeError(error)})`, Date.now());
    }
    if (this.stopping) return;
    const startedAt = Date.now();
    const child = spawn(helper, buildReflectorArgs(spec), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let lastError = '';
    createInterface({ input: child.stdout! }).on('line', (line) => this.heard(line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim()) lastError = line.trim().replace(/^pktgen-emit:\s*/, '');
    });
    child.on('error', (error) => (lastError = describeError(error)));
    this.closed = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.child = undefined;
        this.bound = undefined;
        resolve();
        if (this.stopping) return;
        const how = code !== null ? `exit code ${code}` : `signal ${signal ?? '?'}`;
        this.exited(`${how}${lastError ? `: ${lastError}` : ''}`, startedAt);
      });
    });
    log.debug(`reflector starting: ${helper} ${buildReflectorArgs(spec).join(' ')}`);
  }

  private heard(line: string): void {
    const event = parseReflectorLine(line);
    if (event?.event === 'listening') {
      this.bound = event.address;
      this.options.log.info(`reflector listening on ${formatAddress(event.address)}`, {
        echoes_to: event.allow,
        drop_every: this.options.spec.dropEvery || undefined,
      });
      this.settle(event.address);
    } else if (event?.event === 'summary') {
      const { received, echoed, invalid, not_allowed, test_drops, send_errors } = event;
      this.options.log.info('reflector stopped', { received, echoed, invalid, not_allowed, test_drops, send_errors });
    }
  }

  private exited(why: string, startedAt: number): void {
    if (this.stopping) return;
    if (Date.now() - startedAt >= (this.options.healthyAfterMs ?? 10_000)) this.attempt = 0;
    this.attempt++;
    const delay = (this.options.backoffMs ?? reflectorBackoffMs)(this.attempt);
    this.options.log.warn(
      `reflector on ${formatAddress(this.options.spec.bind)} failed (${why}); restarting in ${(delay / 1000).toFixed(2)} s`,
    );
    this.settle(undefined);
    this.timer = setTimeout(() => void this.launch(), delay);
    this.timer.unref();
  }
}
