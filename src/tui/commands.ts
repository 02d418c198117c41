import { describeError } from '../errors.js';
import { checkNodeName, isHost } from '../input/endpoints.js';
import { PORTS } from '../protocol/ports.js';
import type { JobRequest, NodeRequest } from '../protocol/control-messages.js';
import { parseAddress, parsePort } from '../transport/address.js';
import { typed } from '../input/json.js';
import { parseJob } from '../input/job.js';
import { EXPECT_KEYS } from '../protocol/view.js';

/** How a job typed on the command line is named in errors. */
const WHERE = 'add_job';

/** What a command line asks for; `error` carries the one line to show instead. */
export type Command =
  | { type: 'addJob'; job: JobRequest; nodes: string[] }
  | { type: 'addNode'; node: NodeRequest }
  | { type: 'cancel'; jobId: string }
  | { type: 'pause'; node: string; paused: boolean }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'none' }
  | { type: 'error'; message: string };

/** The expected form of every verb, as help and errors show it. */
export const USAGE = {
  add_job: 'add_job NODE[,NODE...] {"rate": "2.5M", "t": 30, "s_min": 64} [PRIORITY] [target=NODE|HOST:PORT] [max_loss=0.1%] [max_rtt_p99=500us] [min_rate=99%]',
  add_node: 'add_node NAME HOST[:PORT] [PORT]',
  cancel: 'cancel JOB_ID',
  pause: 'pause NODE',
  resume: 'resume NODE',
  help: 'help',
  quit: 'quit',
} as const;
type Verb = keyof typeof USAGE;

const ALIASES: Record<string, Verb> = { job: 'add_job', node: 'add_node', q: 'quit', exit: 'quit', h: 'help', '?': 'help' };
// The old prompt's Python calls: q.add_job('m0', {'m': 20, ...}, 1), q.add_node('m0', '127.0.0.1').
const CALL = /^(?:[A-Za-z_]\w*\.)?(add_job|add_node|cancel|pause|resume)\s*\((.*)\)\s*;?$/s;

class CommandError extends Error {}
const fail = (verb: Verb, problem: string): never => {
  throw new CommandError(`${verb}: ${problem}; expected ${USAGE[verb]}`);
};

/** Parses one command line; node names of pause and resume are checked against `known` when given. */
export function parseCommand(line: string, known?: ReadonlySet<string>): Command {
  const text = line.trim();
  if (text === '') return { type: 'none' };
  try {
    const call = CALL.exec(text);
    if (call) return build(call[1] as Verb, parseLoose(`[${call[2]}]`, call[1] as Verb) as unknown[], known);
    const [word = '', ...rest] = text.split(/\s+/);
    const verb = word in USAGE ? (word as Verb) : ALIASES[word];
    if (!verb) return { type: 'error', message: `unknown command "${word}"; expected one of ${Object.keys(USAGE).join(', ')}` };
    if (verb !== 'add_job') return build(verb, rest, known);
    // The job's JSON may hold spaces: it runs from the first "{" to the last "}".
    const open = text.indexOf('{');
    const close = text.lastIndexOf('}');
    if (open < 0 || close < open) return fail('add_job', 'missing the job data {...}');
    const head = text.slice(word.length, open).trim().split(/\s+/).filter(Boolean);
    const tail = text.slice(close + 1).trim().split(/\s+/).filter(Boolean);
    return build(verb, [...head, parseLoose(text.slice(open, close + 1), verb), ...tail], known);
  } catch (error) {
    return { type: 'error', message: error instanceof CommandError ? error.message : describeError(error) };
  }
}

/** JSON, or failing that the Python literal the old prompt took ('x', True, False, None). */
function parseLoose(json: string, verb: Verb): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    const python = json.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null');
    try {
      return JSON.parse(python);
    } catch {
      return fail(verb, `not valid JSON (${(error as Error).message})`);
    }
  }
}

function build(verb: Verb, args: unknown[], known?: ReadonlySet<string>): Command {
  const arity: Record<Verb, [number, number]> = { add_job: [2, 4 + EXPECT_KEYS.length], add_node: [2, 3], cancel: [1, 1], pause: [1, 1], resume: [1, 1], help: [0, 0], quit: [0, 0] };
  const [least, most] = arity[verb];
  if (args.length < least) fail(verb, args.length === 0 ? 'missing arguments' : 'missing an argument');
  if (args.length > most) fail(verb, `unexpected ${JSON.stringify(args[most])}`);
  switch (verb) {
    case 'add_job': return jobCommand(args, known);
    case 'add_node': return { type: 'addNode', node: nodeRequest(args) };
    case 'cancel': return { type: 'cancel', jobId: String(args[0]) };
    case 'pause': case 'resume':
      return { type: 'pause', node: checkNodeName(args[0], `${verb} NODE`, known), paused: verb === 'pause' };
    default: return { type: verb };
  }
}

/** The options written NAME=VALUE after a job's data: its target and its expectations. */
const NAMED = new RegExp(`^(target|${EXPECT_KEYS.join('|')})=(.*)$`, 's');

/**
 * The job as typed. The scheduler checks it with the one job schema; checking it here too, with the
 * same schema and the same name for it, keeps a wrong line on screen with the scheduler's message.
 * The rate is the data's "m", "rate" or "pps"; max_loss=... and the like become its "expect".
 */
function jobCommand([nodes, data, ...options]: unknown[], known?: ReadonlySet<string>): Command {
  const names = Array.isArray(nodes) ? nodes : String(nodes).split(',');
  const job: Record<string, unknown> = { nodes: names, data };
  const expect: Record<string, string> = {};
  for (const option of options) {
    const text = String(option).trim();
    const named = NAMED.exec(text);
    const [field, value] = named ? [named[1]!, named[2]!] : ['priority', typed(text)];
    if (field in job || field in expect) fail('add_job', `the ${field} is given twice`);
    if (field === 'priority' && typeof value !== 'number') fail('add_job', `${JSON.stringify(option)} is neither a priority nor NAME=VALUE (target, ${EXPECT_KEYS.join(', ')})`);
    if ((EXPECT_KEYS as readonly string[]).includes(field)) expect[field] = value as string;
    else job[field] = value;
  }
  if (Object.keys(expect).length > 0) job.expect = expect;
  parseJob(job, WHERE, { known });
  return { type: 'addJob', job: { json: JSON.stringify(job), where: WHERE, all_nodes: false }, nodes: names.map(String) };
}

function nodeRequest([name, host, port]: unknown[]): NodeRequest {
  const node = checkNodeName(name, 'add_node NAME');
  // Port 0 stands for "none given": parsePort accepts only 1..65535.
  const address = parseAddress(String(host), 0, 'add_node HOST');
  if (!isHost(address.host)) fail('add_node', `${JSON.stringify(address.host)} is not an IP address or host name`);
  if (port !== undefined) {
    if (address.port !== 0) fail('add_node', 'the port is given twice');
    address.port = parsePort(String(port), 'add_node PORT');
  }
  if (address.port === 0) address.port = PORTS.node;
  return { name: node, host: address.host, port: address.port, reflector: '', legacy: false };
}
