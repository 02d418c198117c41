import fc from 'fast-check';
import { UserError } from '../../../src/errors.js';
import { ERR_INPUT } from '../../../src/input/json.js';
import { parseJobsFile, parseNodesFile } from '../../../src/input/files.js';
import { checkWireJob, parseJob, type NodeLimits } from '../../../src/input/job.js';
import type { JobData } from '../../../src/protocol/messages.js';
import { asText, jobItem, jobsDocument, knownNodes, nodesDocument } from '../inputs.js';
import { mutateText, textMutation, type TextMutation } from '../mutate.js';
import { assertJobAccepted, assertNodesAccepted, assertWireJobAccepted } from '../oracle.js';
import { unexpected, type Target } from '../target.js';

/** Runs a loader: an accepted input goes to `accepted`; a refusal must be one ERR_INPUT line starting with `where`. */
function load<T>(what: string, where: string, run: () => T, accepted: (out: T) => void): void {
  let out: T;
  try {
    out = run();
  } catch (error) {
    if (!(error instanceof UserError && error.code === ERR_INPUT)) throw unexpected(what, error);
    if (!error.message.startsWith(where)) throw new Error(`${what}: the error does not start with ${JSON.stringify(where)}: ${JSON.stringify(error.message)}`);
    if (/[\n\r\u2028\u2029]/.test(error.message)) throw new Error(`${what}: the error is not one line: ${JSON.stringify(error.message).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}`);
    return;
  }
  accepted(out);
}

interface FileInput {
  document: unknown;
  indent: number;
  bom: boolean;
  mutations: TextMutation[];
  known?: Set<string>;
}

const fileInput = (document: fc.Arbitrary<unknown>): fc.Arbitrary<FileInput> => fc.record({
  document,
  indent: fc.constantFrom(0, 2),
  bom: fc.boolean(),
  mutations: fc.oneof({ weight: 3, arbitrary: fc.constant<TextMutation[]>([]) }, { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }) }),
  known: knownNodes,
}, { requiredKeys: ['document', 'indent', 'bom', 'mutations'] });

const fileText = ({ document, indent, bom, mutations }: FileInput): string => mutateText(asText(document, indent, bom), mutations);
const parsed = (text: string): unknown => JSON.parse(text.replace(/^\uFEFF/, ''));
const showFile = (input: FileInput): string => `text ${JSON.stringify(fileText(input))}${input.known ? `, known nodes ${fc.stringify([...input.known])}` : ''}`;

/** nodes.json: accepted files conform to the schema, with unique names and addresses. */
export const NODES_FILE_TARGET: Target<FileInput> = {
  name: 'nodes-file',
  weight: 2,
  arbitrary: fileInput(nodesDocument),
  check(input) {
    const text = fileText(input);
    load('parseNodesFile', 'nodes.json', () => parseNodesFile(text, 'nodes.json'), (nodes) => assertNodesAccepted(parsed(text), nodes));
  },
  show: showFile,
};

/** jobs.json: accepted files conform to the job schema, every job as written. */
export const JOBS_FILE_TARGET: Target<FileInput> = {
  name: 'jobs-file',
  weight: 2,
  arbitrary: fileInput(jobsDocument),
  check(input) {
    const text = fileText(input);
    load('parseJobsFile', 'jobs.json', () => parseJobsFile(text, 'jobs.json', input.known), (jobs) => {
      const items = (parsed(text) as { jobs: unknown[] }).jobs;
      if (jobs.length !== items.length) throw new Error(`${items.length} jobs in the file, ${jobs.length} parsed`);
      jobs.forEach((job, i) => assertJobAccepted(items[i], job, { known: input.known }));
    });
  },
  show: showFile,
};

interface JobInput {
  item: unknown;
  known?: Set<string>;
  allNodes: boolean;
}

/** parseJob on a job object, as the control API and the terminal UI hand it over (all_nodes too). */
export const PARSE_JOB_TARGET: Target<JobInput> = {
  name: 'parse-job',
  weight: 2,
  arbitrary: fc.record({ item: fc.oneof({ weight: 9, arbitrary: jobItem }, { weight: 1, arbitrary: fc.anything() }), known: knownNodes, allNodes: fc.boolean() }, { requiredKeys: ['item', 'allNodes'] }),
  check({ item, known, allNodes }) {
    load('parseJob', 'job', () => parseJob(item, 'job', { known, allNodes }), (spec) => assertJobAccepted(item, spec, { known, allNodes }));
  },
  show: ({ item, known, allNodes }) => `job ${fc.stringify(item)}, known ${known ? fc.stringify([...known]) : 'not given'}, allNodes ${allNodes}`,
};

interface WireJobInput {
  data: JobData;
  limits: NodeLimits;
}

/** An int32 within [min, max] mostly, else just beyond it or at an int32 extreme. */
const wireInt = (min: number, max: number) =>
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }) }, fc.constantFrom(min - 1, max + 1, -(2 ** 31), 2 ** 31 - 1));

/** A node's own check of a job from the wire (int32s, bools, rate_bps a uint64, pps a uint32) under its --max-* limits. */
export const WIRE_JOB_TARGET: Target<WireJobInput> = {
  name: 'wire-job',
  weight: 1,
  arbitrary: fc.record({
    data: fc.record({
      m: wireInt(0, 100_000), t: wireInt(1, 3600), w: wireInt(0, 3600), n: wireInt(0, 1024), s_min: wireInt(64, 9000),
      s_max: fc.oneof(fc.constant(0), wireInt(64, 9000)), r: fc.boolean(), l: fc.boolean(),
      // Mostly not set (0), as a legacy scheduler sends; else a rate beside m = 0, or beside m too.
      rate_bps: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.constantFrom(1, 500_000, 1_000_000, 100_000_000_000, 100_000_000_001), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
      pps: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, wireInt(1, 195_312_500)),
    }),
    limits: fc.record({
      maxRateMbps: fc.oneof(fc.constant(100_000), fc.integer({ min: 1, max: 100_000 })),
      maxDurationS: fc.oneof(fc.constant(7200), fc.integer({ min: 1, max: 7200 })),
      maxFlows: fc.oneof(fc.constant(1024), fc.integer({ min: 1, max: 1024 })),
    }, { requiredKeys: [] }),
  }),
  check({ data, limits }) {
    load('checkWireJob', '', () => checkWireJob(data, limits), (out) => assertWireJobAccepted(data, out, limits));
  },
  show: ({ data, limits }) => `data ${fc.stringify(data)}, limits ${fc.stringify(limits)}`,
};
