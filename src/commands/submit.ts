import { Flags, ux } from '@oclif/core';
import { escapeJsonText } from '../text.js';
import type { IntervalLine } from '../control/intervals.js';
import { PktgenCommand } from '../base-command.js';
import { PORTS } from '../protocol/ports.js';
import { typed, type Typed } from '../input/json.js';
import type { NodeSpec } from '../input/files.js';
import { parseDurationMs } from '../input/duration.js';
import { RATE } from '../input/units.js';
import { EXIT_TIMED_OUT, UserError } from '../errors.js';
import { keyFileFlag, schedulerFlag } from '../flags.js';

/** A job flag's value as typed; the scheduler checks it with the one job schema. */
const jobValue = Flags.custom<Typed>({ parse: async (text) => typed(text) });

/** `--timeout DURATION`: a duration with its unit; a bare number was the job's grace before --grace. */
function waitTimeout(text: string): number {
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(text)) {
    throw new UserError(`--timeout "${text}": expected a duration with a unit, s, m, h or d (5s, 2m), bounding --wait; the job's grace past w + t (jobs.json "timeout") is --grace ${text.trim()}`, 'ERR_USAGE');
  }
  return parseDurationMs(text, '--timeout', { positive: true });
}

/** `pktgen submit`: add jobs and nodes to a running scheduler, cancel jobs, remove nodes. */
export default class Submit extends PktgenCommand {
  static override summary = 'Add jobs or nodes to a running scheduler, cancel jobs, or remove nodes.';
  static override description = [
    `Talks to the scheduler's control API (pktgen schedule, port ${PORTS.control}). Prints the new job ids first; with --wait, then waits for the jobs to finish, prints their results and exits 1 if any did not succeed.`,
    `With --timeout, a wait that outlasts it exits ${EXIT_TIMED_OUT}, naming each job still open and why (its node down since when, queued behind N jobs, running for how long). Without it, a node that is down while jobs wait for it is named once, and the wait goes on.`,
  ].join('\n\n');
  static override enableJsonFlag = true;

  static override examples = [
    { description: 'Run one job on node m0 and wait for its result:', command: '<%= config.bin %> <%= command.id %> --node m0 --rate 10 --duration 1 --size 500 --wait' },
    { description: 'Wait at most 2 minutes (exit 3 then, naming the jobs still open and why):', command: '<%= config.bin %> <%= command.id %> -j jobs.json --wait --timeout 2m' },
    {
      description: 'Run a job on every node: 2 s warm-up, 10 s measured, 16 flows, mixed frame sizes, latency:',
      command: '<%= config.bin %> <%= command.id %> --all-nodes --rate 100 --duration 10 --warmup 2 --size 64-1500 --flows 16 --latency',
    },
    {
      description: 'Run IMIX (7:4:1 frames of 64, 594 and 1518 bytes, interleaved) on node m0:',
      command: '<%= config.bin %> <%= command.id %> --node m0 --rate 50M --duration 10 --size imix --wait',
    },
    {
      description: 'Fail the job (and exit 1) when loss exceeds 0.1%, RTT p99 exceeds 500 us or it sends below 99% of 100 Mbit/s:',
      command: '<%= config.bin %> <%= command.id %> --node m0 --target m1 --rate 100 --duration 10 --latency --max-loss 0.1% --max-rtt-p99 500us --min-rate 99% --wait',
    },
    {
      description: 'Wait as JSON lines: one per 500 ms interval while the job runs, then the result:',
      command: '<%= config.bin %> <%= command.id %> --node m0 --rate 10 --duration 5 --interval 500ms --wait --json',
    },
    {
      description: 'RFC 2544 throughput of m0 through to m1 for 7 frame sizes, 10 s trials, no loss allowed, to 1% of 1 Gbit/s; wait for the rates found:',
      command: '<%= config.bin %> <%= command.id %> --search throughput --node m0 --target m1 --sizes 64,128,256,512,1024,1280,1518 --trial 10s --max-loss 0 --resolution 1% --max-rate 1G --wait',
    },
    { description: 'Submit a jobs file and print the new job ids as JSON:', command: '<%= config.bin %> <%= command.id %> -j jobs.json --json' },
    { description: 'Add a node at run time, with its reflector:', command: '<%= config.bin %> <%= command.id %> --add-node m2=127.0.0.1:1733,reflector=127.0.0.1:1734' },
    { description: 'Cancel a job:', command: '<%= config.bin %> <%= command.id %> --cancel j3f9a12bc04d1' },
    { description: 'Cancel every queued and running job of node m0:', command: '<%= config.bin %> <%= command.id %> --cancel-node m0' },
    { description: 'Remove node m2 (its jobs are cancelled, its running job stopped):', command: '<%= config.bin %> <%= command.id %> --remove-node m2' },
  ];

  static override flags = {
    scheduler: schedulerFlag(),
    'key-file': keyFileFlag(),
    node: Flags.string({ description: 'node to run the job on (repeatable)', multiple: true }),
    'all-nodes': Flags.boolean({ description: 'run the job on every node' }),
    rate: jobValue({ description: `rate: bits/s of frame bytes: ${RATE.examples}; a number alone is Mbit/s (0 = as fast as possible)` }),
    pps: jobValue({ description: 'pps: frames per second, instead of --rate' }),
    duration: jobValue({ description: 't: seconds of measured traffic' }),
    warmup: jobValue({ description: 'w: warm-up seconds before measuring [default: 0]' }),
    flows: jobValue({ description: 'n: number of flows (UDP source ports) [default: 1]' }),
    threads: jobValue({ description: 'threads: sending threads, each with its own flows (at most --flows), paced together to --rate [default: 1]' }),
    size: Flags.string({ description: 'frame size in bytes, FCS included: 64, a uniform range 64-1500, imix (64:7,594:4,1518:1) or a weighted mix SIZE:WEIGHT,... [default: 64]' }),
    'random-payload': Flags.boolean({ description: 'r: random payload bytes' }),
    latency: Flags.boolean({ description: 'l: measure latency' }),
    interval: jobValue({ description: 'the result\'s measured intervals: 100ms..60s, e.g. 500ms, 2s [default: 1s]', helpValue: 'DURATION' }),
    target: Flags.string({ description: 'traffic target: a node name (its reflector) or HOST:PORT' }),
    priority: jobValue({ description: 'lower runs first [default: 0]' }),
    retries: jobValue({ description: 're-runs after a failure or loss [default: 0]' }),
    grace: jobValue({ description: 'the job\'s "timeout": seconds of grace past w + t before it counts as lost [default: 30]' }),
    'max-loss': Flags.string({ description: 'expect: the job fails when round-trip loss exceeds this, e.g. 0.1% (needs a reflector)', helpValue: 'PERCENT' }),
    'max-rtt-p99': Flags.string({ description: 'expect: the job fails when RTT p99 exceeds this, e.g. 500us, 2ms (needs --latency)', helpValue: 'DURATION' }),
    'min-rate': Flags.string({ description: 'expect: the job fails when it sends below this share of --rate, e.g. 99%', helpValue: 'PERCENT' }),
    search: Flags.option({ description: 'run an RFC 2544 throughput search (section 26.1) from --node to --target: per frame size, a binary search of trials for the highest rate with loss within --max-loss', options: ['throughput'] as const })(),
    sizes: Flags.string({ description: 'search: frame sizes in bytes, FCS included, e.g. 64,128,256,512,1024,1280,1518', helpValue: 'LIST', dependsOn: ['search'] }),
    trial: Flags.string({ description: 'search: measured time of each trial, e.g. 10s', helpValue: 'DURATION', dependsOn: ['search'] }),
    resolution: Flags.string({ description: 'search: stop a size when hi - lo is at most this share of the upper bound, or rate [default: 1%]', helpValue: 'PERCENT|RATE', dependsOn: ['search'] }),
    'max-rate': Flags.string({ description: 'search: upper bound and first trial, e.g. 1G [default: a first trial as fast as the node sends, whose rate is the bound]', helpValue: 'RATE', dependsOn: ['search'] }),
    jobs: Flags.string({ char: 'j', description: 'jobs file (legacy format) to submit' }),
    nodes: Flags.string({ char: 'n', description: 'nodes file (legacy format) to add' }),
    'add-node': Flags.custom<NodeSpec>({ description: 'add a node (repeatable); append ,reflector=HOST:PORT (or a port on the node\'s host)', helpValue: 'NAME=HOST[:PORT]', multiple: true, parse: async (text) => (await import('../input/files.js')).parseAddNode(text) })(),
    cancel: Flags.string({ description: 'cancel a pending or running job (repeatable)', multiple: true }),
    'cancel-node': Flags.string({ description: 'cancel every pending and running job of a node, which stays (repeatable)', helpValue: 'NAME', multiple: true }),
    'remove-node': Flags.string({ description: 'remove a node: its pending jobs are cancelled ("node NAME removed"), its running job stopped on it (repeatable)', helpValue: 'NAME', multiple: true }),
    wait: Flags.boolean({ char: 'w', description: 'wait for the submitted jobs to finish and print their results' }),
    timeout: Flags.custom<number>({ description: `with --wait: give up after this long, e.g. 5s, 2m (exit ${EXIT_TIMED_OUT}, naming the jobs still open and why) [default: no limit]`, helpValue: 'DURATION', dependsOn: ['wait'], parse: async (text) => waitTimeout(text) })(),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Submit);
    // Loaded when the command runs, so that --help and --version start fast (see bench/startup.ts).
    const [{ submit }, { submitRequest }, { loadClusterKey }] = await Promise.all([
      import('../control/submission.js'), import('../control/submit.js'), import('../security/key.js'),
    ]);
    const request = await submitRequest(flags);
    const scheduler = { address: flags.scheduler, key: await loadClusterKey({ keyFile: flags['key-file'], create: false }) };
    // --wait --json writes JSON lines: one per measured interval as the jobs run, then the result.
    this.jsonLines = flags.wait && this.jsonEnabled();
    const onInterval = this.jsonLines ? (line: IntervalLine) => ux.stdout(escapeJsonText(JSON.stringify(line))) : undefined;
    const { document, exitCode } = await submit(scheduler, request, { wait: flags.wait, timeoutMs: flags.timeout, json: this.jsonEnabled(), print: (text) => this.log(text), onInterval });
    if (exitCode !== 0) process.exitCode = exitCode;
    return document;
  }

  private jsonLines = false;

  protected override logJson(json: unknown): void {
    if (this.jsonLines) ux.stdout(escapeJsonText(JSON.stringify(json)));
    else super.logJson(json);
  }
}
