import { Command, Flags } from '@oclif/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { controlRequest, schedulerAddress, DEFAULT_CONTROL_ADDRESS } from '../control/client.js';
import { jobFromFlags, parseAddNode, progressLine } from '../control/submit.js';
import { typed, type Typed } from '../input/json.js';
import { isFinal } from '../protocol/view.js';
import { readJobEntries, readNodesFile } from '../input/files.js';
import { countByState, formatTable, resultColumns } from '../control/tables.js';
import type { ControlRequest } from '../protocol/control-messages.js';
import { UserError } from '../errors.js';

/** A job flag's value as typed; the scheduler checks it with the one job schema. */
const jobValue = Flags.custom<Typed>({ parse: async (text) => typed(text) });

/** `pktgen submit`: add jobs and nodes to a running scheduler, or cancel jobs. */
export default class Submit extends Command {
  static override summary = 'Add jobs or nodes to a running scheduler, or cancel jobs.';
  static override description = `Talks to the scheduler's control API (pktgen schedule, port 1801). Prints the new job ids;
with --wait, waits for the jobs to finish, prints their results and exits 1 if any did not succeed.`;

  static override examples = [
    '<%= config.bin %> submit --node m0 --rate 10 --duration 1 --size 500 --wait',
    '<%= config.bin %> submit --all-nodes --rate 100 --duration 10 --warmup 2 --size 64-1500 --flows 16 --latency',
    '<%= config.bin %> submit -j jobs.json --json',
    '<%= config.bin %> submit --add-node m2=127.0.0.1:1733',
    '<%= config.bin %> submit --cancel j3f9a12bc04d1',
  ];

  static override flags = {
    scheduler: Flags.string({ description: 'control API of the scheduler, HOST[:PORT]', default: DEFAULT_CONTROL_ADDRESS }),
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
    'add-node': Flags.string({ description: 'add a node, NAME=HOST[:PORT] (repeatable)', multiple: true }),
    cancel: Flags.string({ description: 'cancel a pending or running job (repeatable)', multiple: true }),
    wait: Flags.boolean({ char: 'w', description: 'wait for the submitted jobs to finish and print their results' }),
    json: Flags.boolean({ description: 'print JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Submit);
    const address = schedulerAddress(flags.scheduler);
    const request: Partial<ControlRequest> = { add_nodes: [], add_jobs: [], cancel: flags.cancel ?? [] };
    if (flags.nodes) for (const n of await readNodesFile(flags.nodes)) request.add_nodes!.push({ name: n.name, host: n.host, port: n.port, reflector: n.reflector ?? '' });
    for (const text of flags['add-node'] ?? []) request.add_nodes!.push(parseAddNode(text));
    // Jobs go as written: the scheduler checks them, knowing its nodes, and names them by file and path.
    if (flags.jobs) for (const { where, item } of await readJobEntries(flags.jobs)) request.add_jobs!.push({ json: JSON.stringify(item), where, all_nodes: false });
    if (flags.node || flags['all-nodes'] || flags.rate !== undefined || flags.duration !== undefined) request.add_jobs!.push(jobFromFlags(flags));
    if (request.add_jobs!.length + request.add_nodes!.length + request.cancel!.length === 0) {
      throw new UserError('nothing to submit: give job flags (--node, --rate, --duration ...), -j jobs.json, -n nodes.json, --add-node or --cancel', 'ERR_USAGE');
    }
    const response = await controlRequest(address, request);
    if (!flags.wait || response.job_ids.length === 0) {
      if (flags.json) this.log(JSON.stringify({ job_ids: response.job_ids, cancelled: request.cancel, nodes_added: request.add_nodes!.map((n) => n.name) }));
      else this.report(response.job_ids, request);
      return;
    }
    const jobs = await this.waitFor(address, response.job_ids, !flags.json && Boolean(process.stderr.isTTY));
    if (flags.json) this.log(JSON.stringify({ job_ids: response.job_ids, jobs }, null, 2));
    else this.log(`${formatTable(jobs.map(resultColumns))}\n${countByState(jobs)}`);
    if (!jobs.every((j) => j.state === 'succeeded')) process.exitCode = 1;
  }

  private report(ids: string[], request: Partial<ControlRequest>): void {
    for (const node of request.add_nodes ?? []) this.log(`added node ${node.name} (${node.host}, ${node.port})`);
    for (const id of request.cancel ?? []) this.log(`cancelled ${id}`);
    for (const id of ids) this.log(id);
  }

  /** Polls the scheduler until every job is final; shows a progress line on a terminal. */
  private async waitFor(address: ReturnType<typeof schedulerAddress>, ids: string[], tty: boolean) {
    for (;;) {
      const { jobs } = await controlRequest(address, { query: true, job_ids: ids });
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(jobs)}`);
      if (jobs.length === ids.length && jobs.every(isFinal)) {
        if (tty) process.stderr.write('\r\x1b[K');
        return jobs;
      }
      await sleep(300);
    }
  }
}
