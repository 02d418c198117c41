import { Args, Command, Flags } from '@oclif/core';
import { controlRequest, schedulerAddress, DEFAULT_CONTROL_ADDRESS } from '../control/client.js';
import { jobDetail, jobsCsv, statusJson } from '../control/format.js';
import { countByState, formatTable, nodeColumns, resultColumns } from '../control/tables.js';
import { JOB_STATES, isFinal } from '../protocol/view.js';
import { UserError } from '../errors.js';
import { ControlBackend } from '../control/backend.js';
import { formatAddress } from '../transport/address.js';

/** `pktgen status`: nodes, queues, jobs and results of a running scheduler. */
export default class Status extends Command {
  static override summary = 'Show the nodes, queues, jobs and results of a running scheduler.';
  static override description = `Asks the scheduler's control API (port 1801). With a JOB_ID, shows that job with its full
statistics. --json prints {"nodes": [...], "jobs": [...]}; --csv exports finished jobs' results, one row per job.`;

  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --node m0 --state failed',
    '<%= config.bin %> status j3f9a12bc04d1',
    '<%= config.bin %> status --json | jq .nodes',
    '<%= config.bin %> status --csv > results.csv',
    '<%= config.bin %> status --watch',
  ];

  static override args = {
    job: Args.string({ description: 'a job id: show it in full' }),
  };

  static override flags = {
    scheduler: Flags.string({ description: 'control API of the scheduler, HOST[:PORT]', default: DEFAULT_CONTROL_ADDRESS }),
    node: Flags.string({ description: "only this node's jobs" }),
    state: Flags.option({ description: 'only jobs in this state', options: JOB_STATES })(),
    limit: Flags.integer({ description: 'show at most the newest N jobs (0 = all; --json and --csv show all)', default: 30, min: 0 }),
    json: Flags.boolean({ description: 'print JSON', exclusive: ['csv'] }),
    csv: Flags.boolean({ description: "print finished jobs' results as CSV", exclusive: ['json'] }),
    watch: Flags.boolean({ description: 'live view: the terminal UI on a terminal, plain event lines when piped', exclusive: ['json', 'csv'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Status);
    const address = schedulerAddress(flags.scheduler);
    if (flags.watch) {
      const { runTui } = await import('../tui/run.js');
      await controlRequest(address, {}); // fail fast, with the clear message, when nobody is there
      return runTui(new ControlBackend(`scheduler ${formatAddress(address)}`, (request) => controlRequest(address, request)));
    }
    const response = await controlRequest(address, {
      query: true, job_ids: args.job ? [args.job] : [], node: flags.node ?? '', states: flags.state ? [flags.state] : [],
      limit: flags.json || flags.csv ? 0 : flags.limit,
    });
    if (flags.node && !response.nodes.some((n) => n.name === flags.node)) {
      throw new UserError(`unknown node ${flags.node}; known: ${response.nodes.map((n) => n.name).join(', ') || 'none'}`, 'ERR_UNKNOWN_NODE');
    }
    if (args.job) {
      const job = response.jobs[0];
      if (!job) throw new UserError(`no job ${args.job} on the scheduler at ${flags.scheduler}`, 'ERR_UNKNOWN_JOB');
      this.log(flags.json ? JSON.stringify(job, null, 2) : jobDetail(job));
      return;
    }
    if (flags.json) return this.log(statusJson(response.nodes, response.jobs));
    if (flags.csv) return this.log(jobsCsv(response.jobs.filter(isFinal)));
    const shown = response.jobs;
    this.log(formatTable(response.nodes.map(nodeColumns)) || 'no nodes');
    this.log('');
    if (shown.length > 0) this.log(formatTable(shown.map(resultColumns)));
    const hidden = response.jobs_total - shown.length;
    const counts = response.nodes.reduce((sum, n) => sum + n.pending, 0);
    this.log(`${response.jobs_total} job(s), ${counts} pending; shown: ${countByState(shown)}${hidden > 0 ? ` (newest ${shown.length}; --limit 0 for all)` : ''}`);
  }
}
