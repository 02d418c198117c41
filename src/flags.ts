import { Flags } from '@oclif/core';
import { LOG_FORMATS } from './log.js';
import { PORTS } from './protocol/ports.js';
import { DEFAULT_KEY_HELP, KEY_FILE_ENV } from './security/key-env.js';
import { parseAddress, type Address } from './transport/address.js';
import { METRICS_EXAMPLE } from './metrics/address.js';

/** Where `pktgen submit` and `pktgen status` look for the scheduler by default. */
const DEFAULT_CONTROL_ADDRESS = `127.0.0.1:${PORTS.control}`;

/** Parses a --scheduler value (HOST[:PORT], by default the control port). */
function schedulerAddress(text: string): Address {
  return parseAddress(text, PORTS.control, '--scheduler');
}

/** --scheduler HOST[:PORT]: the control API of a running scheduler (status, submit). */
export const schedulerFlag = Flags.custom<Address>({
  description: `control API of the scheduler (port ${PORTS.control} if none is given)`,
  helpValue: 'HOST[:PORT]',
  default: schedulerAddress(DEFAULT_CONTROL_ADDRESS),
  defaultHelp: async () => DEFAULT_CONTROL_ADDRESS,
  parse: async (text) => schedulerAddress(text),
});

/** --log-format: how the log lines on stderr look (serve, schedule). */
export const logFormatFlag = Flags.option({ description: 'log line format (stderr)', options: LOG_FORMATS, default: 'human' });

/** --legacy-allow CIDRS (serve, schedule): where the unauthenticated legacy wire is spoken. Default: nowhere. */
export const legacyAllowFlag = (what: string) => Flags.string({
  description: `${what} (comma-separated or repeated)`,
  helpValue: 'CIDRS',
  multiple: true,
  delimiter: ',',
  default: [],
  defaultHelp: async () => 'none',
});

/** --key-file: the cluster key (serve, schedule, submit, status); the key itself never goes on a command line. */
export const keyFileFlag = Flags.custom<string>({
  description: `cluster key file, mode 0600 (pktgen keygen makes one) [default: $${KEY_FILE_ENV}, ${DEFAULT_KEY_HELP}]`,
  helpValue: 'FILE',
});

/** --metrics HOST:PORT (serve, schedule): where to serve Prometheus metrics at /metrics; off when absent. */
export const metricsFlag = Flags.custom<Address>({
  description: `serve Prometheus metrics at http://HOST:PORT/metrics, e.g. ${METRICS_EXAMPLE}; a loopback address unless --metrics-public [default: off]`,
  helpValue: 'HOST:PORT',
  parse: async (text) => parseAddress(text, undefined, '--metrics'),
});

/** --metrics-public: lets --metrics listen on a non-loopback address (the endpoint has no authentication). */
export const metricsPublicFlag = Flags.boolean({
  description: 'allow --metrics on an address other than loopback; /metrics has no authentication, so limit who reaches it (firewall)',
  dependsOn: ['metrics'],
});
