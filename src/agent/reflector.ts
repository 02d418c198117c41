import { createInterface } from 'node:readline';
import type { ResultPromise } from 'execa';
import { describeError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { buildReflectorArgs, parseReflectorLine, type ReflectorSpec } from '../emitter/reflect-spec.js';
import { helperEnv } from '../emitter/runner.js';
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

// The helper's exit codes for an address it cannot listen on (native/README.md): a bad option (2),
// not permitted (3), in use or not available here (4). Retrying would change none of them.
const CANNOT_LISTEN = new Set([2, 3, 4]);

/**
 * Runs `pktgen-emit reflect` as a child process for as long as the node runs: restarts it with
 * backoff when it dies after a healthy start, stops it on shutdown. Through execa with cleanup, so
 * it is killed when the node exits; a node killed with SIGKILL takes it along by PR_SET_PDEATHSIG.
 */
export class Reflector {
  private child?: ResultPromise;
  private closed?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private attempt = 0;
  private bound?: Address;
  /** Settles start(): until then, an address it cannot listen on is a start-up error. */
  private first?: { resolve: (address: Address | undefined) => void; reject: (error: Error) => void };

  constructor(private readonly options: ReflectorOptions) {}

  /**
   * Starts the reflector; resolves with where it listens, or undefined if its first start failed
   * for another reason (it keeps retrying). Rejects with a UserError when it cannot listen on its
   * address (in use, not available, not permitted): another node may still hold the port.
   */
  start(): Promise<Address | undefined> {
    const first = new Promise<Address | undefined>((resolve, reject) => (this.first = { resolve, reject }));
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
    this.child?.kill('SIGTERM');
    await this.closed;
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
    const { execa } = await import('execa');
    const startedAt = Date.now();
    const args = buildReflectorArgs(spec);
    const child = execa(helper, args, {
      reject: false,
      stdin: 'ignore',
      buffer: false,
      env: helperEnv(),
      killSignal: 'SIGTERM',
      forceKillAfterDelay: this.options.stopGraceMs ?? 2000,
    });
    this.child = child;
    let lastError = '';
    createInterface({ input: child.stdout! }).on('line', (line) => this.heard(line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim()) lastError = line.trim().replace(/^pktgen-emit:\s*/, '');
    });
    log.debug(`reflector starting: ${helper} ${args.join(' ')}`);
    this.closed = child.then((result) => {
      this.child = undefined;
      this.bound = undefined;
      if (this.stopping) return;
      const how = result.exitCode !== undefined ? `exit code ${result.exitCode}`
        : result.signal ? `signal ${result.signal}` : (result.originalMessage ?? 'could not run');
      const why = `${how}${lastError ? `: ${lastError}` : ''}`;
      if (this.first && result.exitCode !== undefined && CANNOT_LISTEN.has(result.exitCode)) return this.cannotListen(lastError);
      this.exited(why, startedAt);
    });
  }

  private heard(line: string): void {
    const event = parseReflectorLine(line);
    if (event?.event === 'listening') {
      this.bound = event.address;
      this.options.log.info(`reflector listening on ${formatAddress(event.address)}`, {
        echoes_to: event.allow,
        drop_every: this.options.spec.dropEvery || undefined,
      });
      this.first?.resolve(event.address);
      this.first = undefined;
    } else if (event?.event === 'summary') {
      const { received, echoed, invalid, not_allowed, test_drops, send_errors } = event;
      this.options.log.info('reflector stopped', { received, echoed, invalid, not_allowed, test_drops, send_errors });
    }
  }

  /** The first start could not listen: a start-up error for the operator, never a retry loop. */
  private cannotListen(detail: string): void {
    const bind = this.options.spec.bind;
    const where = `UDP ${formatAddress(bind)}`;
    const message = /address already in use/i.test(detail)
      ? `--reflect-port ${bind.port}: ${where} is already in use, perhaps by another pktgen serve that is still running: stop it, or pass another --reflect-port (0 = no reflector)`
      : `--reflect-port ${bind.port}: the reflector cannot listen on ${where}: ${detail || 'the helper gave no reason'}; check --host and --reflect-port (0 = no reflector)`;
    this.first?.reject(new UserError(message, 'ERR_REFLECT_PORT'));
    this.first = undefined;
  }

  private exited(why: string, startedAt: number): void {
    if (this.stopping) return;
    if (Date.now() - startedAt >= (this.options.healthyAfterMs ?? 10_000)) this.attempt = 0;
    this.attempt++;
    const delay = (this.options.backoffMs ?? reflectorBackoffMs)(this.attempt);
    this.options.log.warn(
      `reflector on ${formatAddress(this.options.spec.bind)} failed (${why}); restarting in ${(delay / 1000).toFixed(2)} s`,
    );
    this.first?.resolve(undefined);
    this.first = undefined;
    this.timer = setTimeout(() => void this.launch(), delay);
    this.timer.unref();
  }
}
