import { Command, type Interfaces, ux } from '@oclif/core';
import { PktgenError } from './errors.js';
import { describeFailure, failureJson } from './failure.js';
import { escapeJsonText } from './text.js';

/**
 * What every pktgen command shares. Under --json (oclif's enableJsonFlag) a failure prints
 * {"error": {"code", "message"}} on stdout and exits non-zero (2 for input the user can fix).
 */
export abstract class PktgenCommand extends Command {
  // oclif's own logJson tokenizes the text to colour it by a theme pktgen does not have: 40 times
  // the cost of JSON.stringify, 14 s instead of 0.4 s for `status --json` with 100k jobs.
  // JSON.stringify escapes C0 controls; escapeJsonText the C1 ones a terminal may act on (same value).
  protected override logJson(json: unknown): void {
    ux.stdout(escapeJsonText(JSON.stringify(json, null, 2)));
  }

  protected override toErrorJson(error: unknown): { error: { code: string; message: string } } {
    return { error: failureJson(error) };
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    // A bug keeps its stack and the request for a report, on stderr, even when stdout is JSON.
    if (this.jsonEnabled() && !(error instanceof PktgenError)) {
      const failure = describeFailure(error);
      if (failure) process.stderr.write(`${failure.text}\n`);
    }
    return super.catch(error);
  }
}
