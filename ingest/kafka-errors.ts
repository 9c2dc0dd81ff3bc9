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
