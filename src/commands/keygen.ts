import { Flags } from '@oclif/core';
import { PktgenCommand } from '../base-command.js';
import { DEFAULT_KEY_HELP, KEY_FILE_ENV } from '../security/key-env.js';

/** `pktgen keygen`: a new cluster key. */
export default class Keygen extends PktgenCommand {
  static override summary = 'Write a new cluster key: the secret every pktgen host must share.';
  static override description = `Writes 256 random bits as one line of 64 hex characters to a new file of mode 0600, and prints where (never the key). Copy that file to every host that runs pktgen serve, schedule, submit or status: each finds it at --key-file, $${KEY_FILE_ENV}, ${DEFAULT_KEY_HELP}. Hosts with different keys refuse each other.`;

  static override examples = [
    { description: 'Make the key where every command looks by default:', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Make a key for another cluster, to copy to its hosts:', command: '<%= config.bin %> <%= command.id %> --out lab2.key' },
  ];

  static override flags = {
    out: Flags.string({ char: 'o', description: `file to write [default: $${KEY_FILE_ENV}, ${DEFAULT_KEY_HELP}]`, helpValue: 'FILE' }),
    force: Flags.boolean({ description: 'replace an existing file (every host then needs the new key)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Keygen);
    // Loaded when the command runs, so that --help does not load node:crypto (see bench/startup.ts).
    const { keygen } = await import('../security/key.js');
    const path = await keygen({ out: flags.out, force: flags.force });
    this.log(`wrote a new cluster key to ${path} (mode 0600); copy this file to every host that runs pktgen`);
  }
}
