// Apart from state-dir.ts, which loads the store (node:sqlite): the config layer names it for --help.

/** The environment variable naming the state folder of every command (beside --state-dir). */
export const STATE_DIR_ENV = 'PKTGEN_STATE_DIR';
