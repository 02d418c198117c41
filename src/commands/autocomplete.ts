import { Args } from '@oclif/core';
import { PktgenCommand } from '../base-command.js';
import { bashScript } from '../completion/bash.js';
import { completionSpec } from '../completion/spec.js';
import { zshScript } from '../completion/zsh.js';

const SHELLS = ['bash', 'zsh'] as const;

/** `pktgen autocomplete`: prints a shell completion script. */
export default class Autocomplete extends PktgenCommand {
  static override summary = 'Print a shell completion script for bash or zsh.';
  static override description =
    'Completes commands, flags, and the values of flags that take one of a few words (--log-format); file names for values that are files or folders (--key-file, --state-dir, -j). The script is generated from the commands themselves, so it matches this version of pktgen: load it again after an upgrade.';

  static override examples = [
    { description: 'Complete pktgen in this bash session:', command: 'source <(<%= config.bin %> <%= command.id %> bash)' },
    { description: 'Complete pktgen in every bash session:', command: 'echo \'source <(<%= config.bin %> <%= command.id %> bash)\' >> ~/.bashrc' },
    { description: 'Complete pktgen in zsh (after compinit in ~/.zshrc):', command: 'echo \'source <(<%= config.bin %> <%= command.id %> zsh)\' >> ~/.zshrc' },
  ];

  static override args = {
    shell: Args.string({ description: 'the shell to complete in', options: [...SHELLS], required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Autocomplete);
    const spec = completionSpec(this.config.bin, this.config.commands);
    const script = args.shell === 'zsh' ? zshScript(this.config.bin, spec) : bashScript(this.config.bin, spec);
    process.stdout.write(script);
  }
}
