/**
 * Every job state by lower-case name, in the order of the proto enum JobState: for modules that must
 * not load the protobuf code (status's --state, which --help shows). view.ts derives JOB_STATES from
 * the enum itself and fails to type-check when this list and the enum differ.
 */
export const JOB_STATE_NAMES = ['pending', 'sent', 'running', 'succeeded', 'failed', 'lost', 'cancelled'] as const;
