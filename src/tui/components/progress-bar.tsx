import { Text } from 'ink';
import { progressBar, progressLabel } from '../format.js';

/** Props of ProgressBar: done share 0..1, the warm-up's share of it, and the cell width. */
export interface ProgressBarProps {
  value: number;
  warmupShare: number;
  width: number;
}

/** A bar over w + t with its label ("warm" during the warm-up, else the percentage), `width` cells wide. */
export function ProgressBar({ value, warmupShare, width }: ProgressBarProps) {
  const bar = progressBar(value, Math.max(1, width - 5));
  const filled = bar.replace(/░/g, '');
  const warming = value < warmupShare;
  return (
    <Text>
      <Text color={warming ? 'yellow' : 'green'}>{filled}</Text>
      <Text dimColor>{bar.slice(filled.length)}</Text>
      <Text> {progressLabel(value, warmupShare)}</Text>
    </Text>
  );
}
