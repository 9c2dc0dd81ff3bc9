// What a Kafka error means for our retries (lib/retry.ts), from the error codes kafkajs puts on
// its protocol errors (`KafkaJSProtocolError.type`, the names of Kafka's protocol error codes,
// https://kafka.apache.org/protocol#protocol_error_codes). A commit refused because the group's
// generation ended is never retried: the next owner replays the intent (docs/delivery.md,
// "Generations"). Everything else — coordinator moves, timeouts, broker restarts — is retried
// while the generation lasts, as kafkajs's own retries would.
import type { Verdict } from '../lib/retry.ts';

/** Kafka error codes meaning "this member's generation is over". */
const GENERATION_OVER = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

/** The protocol error code kafkajs attached, or ''. */
export function kafkaErrorType(err: unknown): string {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : '';
}

/** Whether `err` says the consumer group moved on to a new generation. */
export function generationEnded(err: unknown): boolean {
  return GENERATION_OVER.has(kafkaErrorType(err));
}

/** An offset commit: stop when the generation ended, retry anything else. */
export function classifyCommitError(err: unknown): Verdict {
  return generationEnded(err) ? 'stop' : 'retry';
}

/** Reading committed offsets (admin.fetchOffsets): retried until it answers or the generation is replaced. */
export function classifyFetchOffsetsError(_err: unknown): Verdict {
  return 'retry';
}

/**
 * Kafka errors no restart of the consumer can heal: credentials, permissions, and group or
 * session settings the broker refuses. The run ends on them, naming the error.
 */
const NEEDS_AN_OPERATOR = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_GROUP_ID',
  'INVALID_SESSION_TIMEOUT',
  'INCONSISTENT_GROUP_PROTOCOL',
  'UNSUPPORTED_VERSION',
]);

/** The innermost cause kafkajs wrapped (KafkaJSNumberOfRetriesExceeded and the like carry one). */
function originalCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 10 && (e as { cause?: unknown } | null)?.cause; i++) e = (e as { cause: unknown }).cause;
  return e;
}

/**
 * kafkajs stopped its consumer for good (a crash it will not restart: a non-retriable error).
 * A protocol error from the broker (for instance INVALID_REQUEST answered to a SyncGroup while
 * members join at once) is worth a restart of the consumer in process; an error no restart
 * heals (NEEDS_AN_OPERATOR), or one that is not a broker's answer at all, ends the run.
 */
export function classifyConsumerCrash(err: unknown): 'restart' | 'fatal' {
  const type = kafkaErrorType(originalCause(err));
  return type !== '' && !NEEDS_AN_OPERATOR.has(type) ? 'restart' : 'fatal';
}
