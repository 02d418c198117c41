import { Text } from 'ink';

/** The totals line under the node table; dimmed while it shows a scheduler that stopped answering. */
export function Totals({ text, dim = false }: { text: string; dim?: boolean }) {
  return <Text bold={!dim} dimColor={dim} wrap="truncate-end">{text}</Text>;
}
