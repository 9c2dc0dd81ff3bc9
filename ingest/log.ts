// A small leveled logger for the pipeline: one line per message on stderr, so stdout stays
// free for command output. Messages are built by our own code from counts, offsets and error
// texts; record contents never reach a log line (they may carry secrets before redaction).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  enabled(level: LogLevel): boolean;
}

export function createLogger(
  level: LogLevel = 'info',
  prefix = 'faultline',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel) => (msg: string) => {
    if (ORDER[lvl] >= min) write(`${new Date().toISOString()} ${lvl.padEnd(5)} ${prefix}: ${msg}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), enabled: (l) => ORDER[l] >= min };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, enabled: () => false };
