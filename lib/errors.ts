// The project's error classes. Every error carries a stable `code` and whether retrying
// can help (`retriable`): transient faults are retried with backoff, bad data never is.

export class FaultlineError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
  }
}

/** A bad flag, env var or config value. The CLI prints it on one line and exits 2. */
export class ConfigError extends FaultlineError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** An error returned by ClickHouse (server or chDB), parsed into its numeric code and type. */
export class StoreError extends FaultlineError {
  readonly clickhouseCode: number | undefined;
  readonly clickhouseType: string | undefined;
  constructor(message: string, opts: { retriable: boolean; clickhouseCode?: number; clickhouseType?: string; cause?: unknown }) {
    super(opts.clickhouseType ?? 'STORE', message, opts);
    this.clickhouseCode = opts.clickhouseCode;
    this.clickhouseType = opts.clickhouseType;
  }
}

/** The embedded store's data directory is locked by another process (chDB code 76). */
export class StoreBusyError extends FaultlineError {
  constructor(path: string) {
    super('STORE_BUSY', `the embedded store at ${path} is in use by another faultline process (is \`faultline run\` running?)`);
  }
}

/** A Kafka fault (broker down, request errors). kafkajs marks its own errors retriable. */
export class SourceError extends FaultlineError {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
