// The one retry mechanism: a backoff policy (capped exponential, full jitter) and a retry loop
// that asks a per-dependency classifier what an error means — ClickHouse:
// sql/store-errors.ts `classifyStoreError`; Kafka: ingest/kafka-errors.ts — and reports every
// failed attempt to its caller (logs, /metrics). Each call path has exactly one owner of its
// retries: the sink for rows and ledger, GroupCommit for commits, recovery for reading offsets,
// the server store for the CLI's and migrations' statements (docs/delivery.md, "outages").
import { errorMessage } from './errors.ts';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Attempts allowed for an error that is not retriable (bad SQL, schema mismatch) before giving up. */
  permanentAttempts: number;
  /** Attempts allowed in all, retriable errors included (default: until success or abort). */
  maxAttempts?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 5000, permanentAttempts: 3 };

/**
 * What a failed attempt means: `retry` (a passing condition), `permanent` (retrying cannot help;
 * allowed `permanentAttempts` times), `stop` (give up at once, e.g. a commit refused because the
 * generation ended: the caller turns it into its answer).
 */
export type Verdict = 'retry' | 'permanent' | 'stop';

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

/**
 * The wait after failed attempt number `attempt` (0-based): uniform in
 * [0, min(max, initial × 2^attempt)], at least min(10 ms, initial).
 */
export function backoffDelay(attempt: number, p: Pick<BackoffPolicy, 'initialMs' | 'maxMs'>, random: () => number = Math.random): number {
  const cap = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(Math.min(10, p.initialMs), Math.round(random() * cap));
}

/** One failed attempt, as reported to `onFailure`. */
export interface FailedAttempt {
  what: string;
  /** 1-based. */
  attempt: number;
  err: unknown;
  verdict: Verdict;
  /** The wait before the next attempt; 0 when giving up. */
  delayMs: number;
  giveUp: boolean;
}

export interface RetryOptions {
  policy: BackoffPolicy;
  classify: (err: unknown) => Verdict;
  signal?: AbortSignal | undefined;
  /** Every failed attempt (count it, log it). */
  onFailure?: (a: FailedAttempt) => void;
}

/** Run `fn` until it succeeds, the classifier or the policy gives up (the last error is thrown), or `signal` aborts (AbortedError). */
export async function retry<T>(what: string, fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  let permanent = 0;
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) throw new AbortedError(what);
    try {
      return await fn(attempt);
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      const verdict = o.classify(err);
      const giveUp =
        verdict === 'stop' ||
        (verdict === 'permanent' && ++permanent >= o.policy.permanentAttempts) ||
        attempt + 1 >= (o.policy.maxAttempts ?? Infinity);
      const delayMs = giveUp ? 0 : backoffDelay(attempt, o.policy);
      o.onFailure?.({ what, attempt: attempt + 1, err, verdict, delayMs, giveUp });
      if (giveUp) throw err;
      await sleep(delayMs, o.signal);
    }
  }
}

/** The log line of a failed attempt: a warning for the first three, then an error. */
export function logFailure(log: { warn(m: string): void; error(m: string): void }, a: FailedAttempt): void {
  const next = a.giveUp ? 'giving up' : `retrying in ${a.delayMs} ms`;
  (a.attempt <= 3 ? log.warn : log.error)(`${a.what} failed (attempt ${a.attempt}, ${next}): ${errorMessage(a.err).split('\n')[0]}`);
}
