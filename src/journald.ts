import { fstatSync } from 'node:fs';

/**
 * Whether stderr is journald's stream: systemd sets $JOURNAL_STREAM to the device and inode
 * ("DEV:INO") of the stream it connected, and a child whose stderr went elsewhere inherits the
 * variable, so the descriptor itself is compared (as sd_journal_stream_fd's documentation asks).
 */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env, fd = 2): boolean {
  const stream = env.JOURNAL_STREAM;
  if (!stream) return false;
  try {
    const stat = fstatSync(fd, { bigint: true });
    return stream === `${stat.dev}:${stat.ino}`;
  } catch {
    return false;
  }
}
