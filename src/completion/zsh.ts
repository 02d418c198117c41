import type { CommandSpec, FlagSpec } from './spec.js';

/** Text inside a single-quoted zsh word. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A description inside an _arguments spec: brackets, colons and backslashes escaped. */
function describe(text: string): string {
  return text.replaceAll(/[\\[\]:]/g, (c) => `\\${c}`);
}

/** The _arguments specs of one flag: its long form, short form and --no- form. */
function flagSpecs(flag: FlagSpec): string[] {
  const value = !flag.takesValue ? ''
    : flag.options ? `:${flag.name}:(${flag.options.join(' ')})`
      : flag.takesPath ? `:${flag.name}:_files` : `:${flag.name}: `;
  const help = `[${describe(flag.summary)}]`;
  const repeat = flag.multiple ? '*' : '';
  const specs = flag.char
    ? [`${repeat}${repeat ? '' : `(-${flag.char} --${flag.name})`}{-${flag.char},--${flag.name}}`]
    : [`${repeat}--${flag.name}`];
  // The {-x,--long} brace form must stay outside the quotes for zsh to expand it.
  const quoted = specs.map((spec) => {
    const brace = /^(\*?(?:\([^)]*\))?)(\{[^}]*\})$/.exec(spec);
    return brace ? `${quote(brace[1]!)}${brace[2]}${quote(help + value)}` : quote(spec + help + value);
  });
  if (flag.allowNo) quoted.push(quote(`--no-${flag.name}[turn off --${flag.name}]`));
  return quoted;
}

/**
 * A zsh completion script for `bin` (load it with `source <(pktgen autocomplete zsh)` after compinit):
 * commands with their summaries, each command's flags with theirs, closed value lists, file names otherwise.
 */
export function zshScript(bin: string, commands: readonly CommandSpec[]): string {
  const fn = `_${bin.replaceAll(/[^A-Za-z0-9_]/g, '_')}`;
  const list = commands.map((command) => `    ${quote(`${command.id}:${describe(command.summary)}`)}`);
  const cases = commands.map((command) => {
    const arg = command.argValues ? [quote(`1:argument:(${command.argValues.join(' ')})`)] : [];
    const specs = [...command.flags.flatMap(flagSpecs), ...arg].map((spec) => `        ${spec}`);
    return `    ${command.id})\n      _arguments -s \\\n${specs.join(' \\\n')}\n      ;;`;
  });
  return `#compdef ${bin}
# zsh completion for ${bin}; load it with: source <(${bin} autocomplete zsh)   (after compinit)
${fn}() {
  local -a commands
  commands=(
${list.join('\n')}
  )
  if ((CURRENT == 2)); then
    _describe -t commands '${bin} command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  ((CURRENT--))
  case $cmd in
${cases.join('\n')}
  esac
}
compdef ${fn} ${bin}
`;
}
