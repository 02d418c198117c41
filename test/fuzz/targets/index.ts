import type { Target } from '../target.js';
import { FRAMING_TARGET } from './framing.js';
import { PROTOBUF_TARGETS } from './protobuf.js';
import { SESSION_CHANNEL_TARGET } from './session.js';
import { JOBS_FILE_TARGET, NODES_FILE_TARGET, PARSE_JOB_TARGET, WIRE_JOB_TARGET } from './loaders.js';

/** Every fuzz target, in the order they run and are reported: `npm run fuzz` and the CI test share it. */
export const TARGETS: readonly Target<unknown>[] = [
  FRAMING_TARGET,
  ...PROTOBUF_TARGETS,
  SESSION_CHANNEL_TARGET,
  NODES_FILE_TARGET,
  JOBS_FILE_TARGET,
  PARSE_JOB_TARGET,
  WIRE_JOB_TARGET,
];
