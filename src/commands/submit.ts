import { Flags } from '@oclif/core';
import { PktgenCommand } from '../base-command.js';
import { PORTS } from '../protocol/ports.js';
import { submit } from '../control/submission.js';
import { parseAddNode, submitRequest } from '../control/submit.js';
import { typed, type Typed } from '../input/json.js';
import type { NodeRequest } from '../protocol/control-messages.js';
import { keyFileFlag, schedulerFlag } from '../flags.js';
import { loadClusterKey } from '../security/key.js';

/** A job flag's value as typed; the scheduler checks it with the one job schema. */
const jobValue = Flags.custom<Typed>({ parse: async (text) => typed(text) });

/** `pktgen submit`: add jobs and nodes to a running scheduler, or cancel jobs. */
export default class Submit extends PktgenCommand {
  static override summary = 'Add jobs or nodes to a running scheduler, or cancel jobs.';
  static override description = `Talks to the scheduler's control API (pktgen schedule, port ${PORTS.control}). Prints the new job ids; with --wait, waits for the jobs to finish, prints their results and exits 1 if any did not succeed.`;
  static override enableJsonFlag = true;

  static override examples = [
    { description: 'Run one job on node m0 and wait for its result:', command: '<%= config.bin %> <%= command.id %> --node m0 --rate 10 --duration 1 --size 500 --wait' },
    {
      description: 'Run a job on every node: 2 s warm-up, 10 s measured, 16 flows, mixed frame sizes, latency:',
      command: '<%= config.bin %> <%= command.id %> --all-nodes --rate 100 --duration 10 --warmup 2 --size 64-1500 --flows 16 --latency',
    },
    { description: 'Submit a jobs file and print the new job ids as JSON:', command: '<%= config.bin %> <%= command.id %> -j jobs.json --json' },
    { description: 'Add a node at run time:', command: '<%= config.bin %> <%= command.id %> --add-node m2=127.0.0.1:1733' },
    { description: 'Cancel a job:', command: '<%= config.bin %> <%= command.id %> --cancel j3f9a12bc04d1' },
  ];

  static override flags = {
    scheduler: schedulerFlag(),
    'key-file': keyFileFlag(),
    node: Flags.string({ description: 'node to run the job on (repeatable)', multiple: true }),
    'all-nodes': Flags.boolean({ description: 'run the job on every node' }),
    rate: jobValue({ description: 'm: rate in Mbit/s of frame bytes (0 = as fast as possible)' }),
    duration: jobValue({ description: 't: seconds of measured traffic' }),
    warmup: jobValue({ description: 'w: warm-up seconds before measuring [default: 0]' }),
    flows: jobValue({ description: 'n: number of flows (UDP source ports) [default: 1]' }),
    size: Flags.string({ description: 's_min[-s_max]: frame size in bytes, FCS included, e.g. 64 or 64-1500 [default: 64]' }),
    'random-payload': Flags.boolean({ description: 'r: random payload bytes' }),
    latency: Flags.boolean({ description: 'l: measure latency' }),
    target: Flags.string({ description: 'traffic target: a node name (its reflector) or HOST:PORT' }),
    priority: jobValue({ description: 'lower runs first [default: 0]' }),
    retries: jobValue({ description: 're-runs after a failure or loss [default: 0]' }),
    timeout: jobValue({ description: 'seconds of grace past w + t before the job counts as lost [default: 30]' }),
    jobs: Flags.string({ char: 'j', description: 'jobs file (legacy format) to submit' }),
    nodes: Flags.string({ char: 'n', description: 'nodes file (legacy format) to add' }),
    'add-node': Flags.custom<NodeRequest>({ description: 'add a node (repeatable)', helpValue: 'NAME=HOST[:PORT]', multiple: true, parse: async (text) => parseAddNode(text) })(),
    cancel: Flags.string({ description: 'cancel a pending or running job (repeatable)', multiple: true }),
    wait: Flags.boolean({ char: 'w', description: 'wait for the submitted jobs to finish and print their results' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Submit);
    const request = await submitRequest(flags);
    const scheduler = { address: flags.scheduler, key: await loadClusterKey({ keyFile: flags['key-file'], create: false }) };
    const { document, succeeded } = await submit(scheduler, request, { wait: flags.wait, json: this.jsonEnabled(), print: (text) => this.log(text) });
    if (!succeeded) process.exitCode = 1;
    return document;
  }
}
