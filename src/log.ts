import { stderrIsJournal } from './journald.js';
import { escapeControl, escapeJsonText } from './text.js';

/** Log output formats: human-readable lines or JSON lines. */
export const LOG_FORMATS = ['human', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A small structured logger writing one line per record to a stream (stderr by default). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Creates a logger; `clock` is injectable so tests see stable output. Human lines start with the time,
 * unless `timestamps` is false; by default it is false only when they go to stderr and stderr is
 * journald's stream (journald stamps every line itself). JSON records always carry their time.
 */
export function createLogger(options: {
  format?: LogFormat;
  level?: LogLevel;
  write?: (line: string) => void;
  clock?: () => Date;
  timestamps?: boolean;
}): Logger {
  const format = options.format ?? 'human';
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const timestamps = options.timestamps ?? (options.write !== undefined || !stderrIsJournal());
  const clock = options.clock ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (ORDER[level] < threshold) return;
    const time = clock().toISOString();
    const defined = Object.entries(fields).filter(([, v]) => v !== undefined);
    // Messages and fields carry peers' text (a FAIL reason, a job id): one record stays one line.
    if (format === 'json') {
      write(escapeJsonText(JSON.stringify({ time, level, msg: message, ...Object.fromEntries(defined) })) + '\n');
      return;
    }
    const extra = defined.map(([k, v]) => `${k}=${typeof v === 'string' ? quoteValue(v) : v}`).join(' ');
    write(`${timestamps ? `${time} ` : ''}${level.toUpperCase().padEnd(5)} ${escapeControl(message)}${extra ? ' ' + extra : ''}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A field value for a human log line: escaped, and quoted when it holds a space or a quote (or is empty). */
function quoteValue(value: string): string {
  const text = escapeControl(value);
  return text === '' || /[\s"]/.test(text) ? `"${text.replaceAll('"', '\\"')}"` : text;
}
