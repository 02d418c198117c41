import { Text } from 'ink';

/** The totals line under the node table. */
export function Totals({ text }: { text: string }) {
  return <Text bold wrap="truncate-end">{text}</Text>;
}
