import { Args, Flags } from '@oclif/core';
import { PktgenCommand } from '../base-command.js';
import { PORTS } from '../protocol/ports.js';
import { keyFileFlag, schedulerFlag } from '../flags.js';
import { JOB_STATE_NAMES } from '../protocol/job-states.js';

/** `pktgen status`: nodes, queues, jobs and results of a running scheduler. */
export default class Status extends PktgenCommand {
  static override summary = 'Show the nodes, queues, jobs and results of a running scheduler.';
  static override description = `Asks the scheduler's control API (port ${PORTS.control}). Given a job id (JOB), shows that job with its full statistics. --json prints {"nodes": [...], "jobs": [...]}; --csv exports finished jobs' results, one row per job; --csv --intervals one row per measured interval. Throughput searches show after the jobs (per frame size: bounds while searching, the rate found in Mbit/s and Mpps once done); --json has them under "searches" with every trial; --searches --csv writes one row per trial.`;
  static override enableJsonFlag = true;

  static override examples = [
    { description: 'Nodes with their queues, then the newest jobs:', command: '<%= config.bin %> <%= command.id %>' },
    { description: "Node m0's failed jobs:", command: '<%= config.bin %> <%= command.id %> --node m0 --state failed' },
    { description: 'One job with its full statistics:', command: '<%= config.bin %> <%= command.id %> j3f9a12bc04d1' },
    { description: 'Everything as JSON, for scripts:', command: '<%= config.bin %> <%= command.id %> --json | jq .nodes' },
    { description: "Finished jobs' results as CSV:", command: '<%= config.bin %> <%= command.id %> --csv > results.csv' },
    { description: "Finished jobs' measured intervals as CSV, one row each:", command: '<%= config.bin %> <%= command.id %> --csv --intervals > intervals.csv' },
    { description: "Throughput searches' trials as CSV, one row per trial with its size's result:", command: '<%= config.bin %> <%= command.id %> --searches --csv > searches.csv' },
    { description: 'The live view, until you quit:', command: '<%= config.bin %> <%= command.id %> --watch' },
  ];

  static override args = {
    job: Args.string({ description: 'a job id: show it in full' }),
  };

  static override flags = {
    scheduler: schedulerFlag(),
    'key-file': keyFileFlag(),
    node: Flags.string({ description: "only this node's jobs" }),
    state: Flags.option({ description: 'only jobs in this state', options: JOB_STATE_NAMES })(),
    limit: Flags.integer({ description: 'show at most the newest N jobs (0 = all; --json and --csv show all)', default: 30, min: 0 }),
    csv: Flags.boolean({ description: "print finished jobs' results as CSV", exclusive: ['json'] }),
    intervals: Flags.boolean({ description: 'with --csv: one row per measured interval (job, node, index, start, duration, figures)', dependsOn: ['csv'] }),
    searches: Flags.boolean({ description: 'throughput searches only: per frame size its bounds or result; with --csv one row per trial', exclusive: ['json', 'watch'] }),
    watch: Flags.boolean({ description: 'live view: the terminal UI on a terminal, plain event lines when piped', exclusive: ['json', 'csv'] }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Status);
    // Loaded when the command runs, so that --help and --version start fast (see bench/startup.ts).
    const [{ showStatus }, { loadClusterKey }] = await Promise.all([import('../control/status.js'), import('../security/key.js')]);
    return showStatus({
      scheduler: { address: flags.scheduler, key: await loadClusterKey({ keyFile: flags['key-file'], create: false }) },
      job: args.job,
      node: flags.node,
      state: flags.state,
      limit: flags.limit,
      searches: flags.searches,
      output: flags.watch ? 'watch' : this.jsonEnabled() ? 'json' : flags.csv ? 'csv' : 'table',
      intervals: flags.intervals,
    }, (text) => this.log(text));
  }
}
