import { inspect } from 'node:util';
import { Errors } from '@oclif/core';
import { PktgenError, UserError } from './errors.js';
import { escapeControl } from './text.js';

/** How an error reaches the user: text for stderr and an exit code, or undefined to let oclif handle it. */
export function describeFailure(error: unknown): { exitCode: number; text: string } | undefined {
  if (error instanceof Errors.CLIError) return undefined;
  // A message may carry a peer's words (a scheduler's refusal, a node's reason): shown, never obeyed.
  if (error instanceof UserError) return { exitCode: error.exitCode, text: `Error: ${escapeControl(userMessage(error))}` };
  if (error instanceof PktgenError) return { exitCode: 1, text: `Error: ${escapeControl(userMessage(error))}` };
  const details = error instanceof Error ? inspect(error) : `Thrown value: ${inspect(error)}`;
  return {
    exitCode: 1,
    text: `${details}\npktgen hit a bug: please report it with the output above and \`pktgen --version\`.`,
  };
}

/** The error as `--json` prints it, inside {"error": ...}: a stable code and the message a user reads. */
export function failureJson(error: unknown): { code: string; message: string } {
  if (error instanceof PktgenError) return { code: error.code, message: userMessage(error) };
  if (error instanceof Errors.CLIError) return { code: error.code ?? 'ERR_USAGE', message: error.message };
  return { code: 'ERR_INTERNAL', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

// oclif's parser rewrites the message of an error thrown by a flag's parse function into
// "Parsing --flag \n\t<message>\nSee more help with --help"; ours already name the flag and value.
const FLAG_PARSE_WRAPPER = /^Parsing --[\w-]+ \n\t([^]*)\nSee more help with --help$/;

function userMessage(error: PktgenError): string {
  return error.message.replace(FLAG_PARSE_WRAPPER, '$1');
}
