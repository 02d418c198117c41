import { isAbsolute, join } from 'node:path';

/** The environment variable naming the config file (beside --config). */
export const CONFIG_ENV = 'PKTGEN_CONFIG';

/** The config file's name inside the user's pktgen config folder. */
export const CONFIG_FILE_NAME = 'config.toml';

/**
 * The user's pktgen config folder: $XDG_CONFIG_HOME/pktgen (only if absolute, as the XDG spec says),
 * else ~/.config/pktgen; undefined without a home folder. The cluster key's default lives here too.
 */
export function userConfigDir(env: Record<string, string | undefined>, home: () => string): string | undefined {
  if (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)) return join(env.XDG_CONFIG_HOME, 'pktgen');
  // Looked up only here: a user without a home folder may still name XDG_CONFIG_HOME.
  const folder = home();
  return folder ? join(folder, '.config', 'pktgen') : undefined;
}
