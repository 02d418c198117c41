import type { CommandSpec } from './spec.js';

/** A word list for bash's compgen -W, single-quoted for the script. */
function words(values: readonly string[]): string {
  return `'${values.join(' ').replaceAll("'", "'\\''")}'`;
}

/**
 * A bash completion script for `bin` (load it with `source <(pktgen autocomplete bash)`): commands,
 * each command's flags, the values of flags and arguments that have a closed list, and file names
 * (bash's default) for every other value.
 */
export function bashScript(bin: string, commands: readonly CommandSpec[]): string {
  const fn = `_${bin.replaceAll(/[^A-Za-z0-9_]/g, '_')}_complete`;
  const flagCases = commands.map((command) => {
    const names = command.flags.flatMap((flag) => [
      `--${flag.name}`,
      ...(flag.allowNo ? [`--no-${flag.name}`] : []),
      ...(flag.char ? [`-${flag.char}`] : []),
    ]);
    return `    ${command.id}) flags=${words(names)} ;;`;
  });
  const valueCases = commands.flatMap((command) =>
    command.flags
      .filter((flag) => flag.takesValue)
      .map((flag) => {
        const spellings = [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])].map((s) => `'${command.id} ${s}'`).join('|');
        // A path falls through to bash's default, file names (`complete -o default`); a number or an address gets nothing.
        const reply = flag.options ? `COMPREPLY=($(compgen -W ${words(flag.options)} -- "$cur"))`
          : flag.takesPath ? 'COMPREPLY=()' : 'compopt +o default 2>/dev/null; COMPREPLY=()';
        return `    ${spellings}) ${reply}; return ;;`;
      }),
  );
  const argCases = commands
    .filter((command) => command.argValues)
    .map((command) => `    ${command.id}) COMPREPLY=($(compgen -W ${words(command.argValues!)} -- "$cur")); return ;;`);
  return `# bash completion for ${bin}; load it with: source <(${bin} autocomplete bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}" flags=''
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W ${words(commands.map((command) => command.id))} -- "$cur"))
    return
  fi
  case "$cmd $prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
${flagCases.join('\n')}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  case "$cmd" in
${argCases.join('\n')}
  esac
}
complete -o default -F ${fn} ${bin}
`;
}
