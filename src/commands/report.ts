import { Flags } from '@oclif/core';
import { PktgenCommand } from '../base-command.js';
import { keyFileFlag, schedulerFlag } from '../flags.js';

/** `pktgen report`: the results of a running scheduler as one self-contained HTML file with plots. */
export default class Report extends PktgenCommand {
  static override summary = "Write a running scheduler's results as one HTML file with plots.";
  static override description = 'Asks the scheduler\'s control API, like status, and writes one HTML file that needs nothing else to view (no script, no network): a summary table of the jobs, their nodes, the sent rate over time per node (from the measured intervals), RTT percentiles per job, loss per job, and the throughput searches\' results when there are any. Without --since/--until, --jobs or --search it covers every job the scheduler holds. TIME is an ISO 8601 time or a duration ago (30m, 2h).';

  static override examples = [
    { description: 'Everything the scheduler holds, into report.html:', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'The jobs of the last two hours:', command: '<%= config.bin %> <%= command.id %> --since 2h --out last-2h.html' },
    { description: 'A time range:', command: '<%= config.bin %> <%= command.id %> --since 2026-11-30T10:00:00Z --until 2026-11-30T11:00:00Z' },
    { description: 'Three jobs:', command: '<%= config.bin %> <%= command.id %> --jobs j1,j2,j3 --out campaign.html' },
    { description: 'One throughput search and its trials:', command: '<%= config.bin %> <%= command.id %> --search s3f9a12bc04d1 --out search.html' },
  ];

  static override flags = {
    scheduler: schedulerFlag(),
    'key-file': keyFileFlag(),
    out: Flags.string({ char: 'o', description: 'the HTML file to write (- for stdout)', helpValue: 'FILE', default: 'report.html' }),
    since: Flags.string({ description: 'jobs open at or after TIME', helpValue: 'TIME' }),
    until: Flags.string({ description: 'jobs open at or before TIME (default: now)', helpValue: 'TIME' }),
    jobs: Flags.string({ description: 'only these jobs (comma-separated or repeated)', helpValue: 'IDS', multiple: true, delimiter: ',', exclusive: ['since', 'until', 'search'] }),
    search: Flags.string({ description: 'one throughput search and its trials', helpValue: 'ID', exclusive: ['since', 'until', 'jobs'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Report);
    // Loaded here, not at the top: the charting library is large and only this command needs it, and
    // the key's module loads node:crypto, which --help should not (see bench/startup.ts).
    const [{ writeReport }, { reportScope }, { loadClusterKey }] = await Promise.all([import('../report/report.js'), import('../report/scope.js'), import('../security/key.js')]);
    const nowMs = Date.now();
    const done = await writeReport({
      scheduler: { address: flags.scheduler, key: await loadClusterKey({ keyFile: flags['key-file'], create: false }) },
      scope: reportScope(flags, nowMs),
      out: flags.out,
      nowMs,
    }, (text) => this.log(text));
    if (done) this.logToStderr(done);
  }
}
