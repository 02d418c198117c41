// Where the cluster key is looked for, as the help texts say it: apart from security/key.ts, which
// loads node:crypto, so that --help does not.

/** The environment variable naming the key file. */
export const KEY_FILE_ENV = 'PKTGEN_KEY_FILE';

/** Where the key is looked for when no file is named, for help texts. */
export const DEFAULT_KEY_HELP = '$XDG_CONFIG_HOME/pktgen/cluster.key or ~/.config/pktgen/cluster.key';
