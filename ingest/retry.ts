// Retry with capped exponential backoff and full jitter, until success, a permanent failure
// or an abort. The sink uses it while ClickHouse or the Kafka coordinator is unavailable:
// what was read stays in memory (fetching pauses meanwhile), nothing is dropped.
import { isRetriable, errorMessage } from '../lib/errors.ts';
import type { Logger } from './log.ts';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Attempts allowed for an error that is not retriable (bad SQL, schema mismatch) before giving up. */
  permanentAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 5000, permanentAttempts: 3 };

export class AbortedError extends Error {
  constructor(what: string) {
    super(`${what}: aborted`);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function retrying<T>(
  what: string,
  fn: () => Promise<T>,
  opts: { policy: BackoffPolicy; log: Logger; signal?: AbortSignal | undefined; onError?: (err: unknown) => void },
): Promise<T> {
  let permanent = 0;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw new AbortedError(what);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      opts.onError?.(err);
      if (!isRetriable(err) && ++permanent >= opts.policy.permanentAttempts) throw err;
      const delay = Math.round(Math.random() * Math.min(opts.policy.maxMs, opts.policy.initialMs * 2 ** Math.min(attempt, 20)));
      const log = attempt < 3 ? opts.log.warn : opts.log.error;
      log(`${what} failed (attempt ${attempt + 1}, retrying in ${delay} ms): ${errorMessage(err).split('\n')[0]}`);
      await sleep(Math.max(delay, 10), opts.signal);
    }
  }
}
