// Offset commits bound to one consumer-group generation. kafkajs's consumer.commitOffsets
// retries internally, and a retry after a rejoin would carry the *new* generation for a
// partition that may now be someone else's; so commits go through the group's own commit
// (captured from an eachBatch payload), the generation is checked before every attempt, and
// retries are ours. A commit refused because the generation ended is not retried: the intent
// stays, and the next owner replays it (docs/delivery.md, "Generations").
import type { EachBatchPayload } from 'kafkajs';
import { FaultlineError } from '../lib/errors.ts';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';
import { logFailure, retry, sleep, type BackoffPolicy } from '../lib/retry.ts';
import { classifyCommitError, generationEnded, kafkaErrorType } from './kafka-errors.ts';

export interface CommitEntry {
  topic: string;
  partition: number;
  offset: string;
  metadata: string;
}

export type CommitFn = EachBatchPayload['commitOffsetsIfNecessary'];

export interface GroupCommitDeps {
  /** The generation (epoch) current now. */
  epoch(): number;
  /** The group's commit, once a batch has been seen. */
  commitFn(): CommitFn | null;
  stopping(): boolean;
  backoff: BackoffPolicy;
  metrics: IngestMetrics;
  log: Logger;
  sessionTimeoutMs: number;
  /** How long to wait for the rejoin after a refused commit (default max(4 × session timeout, 30 s)). */
  rejoinWaitMs?: number;
}

/** Thrown inside the retry loop when no attempt can be made in the generation any more. */
class GenerationOver extends Error {}

export class GroupCommit {
  constructor(private readonly d: GroupCommitDeps) {}

  /** Commit `entries` in generation `epoch`; false when that generation ended first. */
  async commit(epoch: number, entries: readonly CommitEntry[], what: string, signal: AbortSignal): Promise<boolean> {
    if (entries.length === 0) return true;
    const topics = new Map<string, { partition: number; offset: string; metadata: string }[]>();
    for (const e of entries) {
      const list = topics.get(e.topic) ?? [];
      list.push({ partition: e.partition, offset: e.offset, metadata: e.metadata });
      topics.set(e.topic, list);
    }
    const payload = { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
    try {
      await retry(
        `commit of ${what}`,
        async () => {
          const commitFn = this.d.commitFn();
          if (epoch !== this.d.epoch() || !commitFn) throw new GenerationOver();
          await commitFn(payload as Parameters<CommitFn>[0]);
        },
        {
          // Retries are ours, while the generation lasts: the first attempt and every retry check it.
          policy: { ...this.d.backoff, permanentAttempts: Infinity },
          classify: (err) => (err instanceof GenerationOver ? 'stop' : classifyCommitError(err)),
          signal,
          onFailure: (a) => {
            if (a.err instanceof GenerationOver) return;
            this.d.metrics.commitErrors.inc();
            if (generationEnded(a.err))
              this.d.log.info(
                `commit of ${what} refused (${kafkaErrorType(a.err)}): the group is rebalancing; ranges are replayed from the intent`,
              );
            else logFailure(this.d.log, a);
          },
        },
      );
      return true;
    } catch (err) {
      if (err instanceof GenerationOver || generationEnded(err)) return false;
      throw err;
    }
  }

  /**
   * After a commit refused for a generation that ended, wait for the rejoin (which resets
   * every buffer and re-reads from the committed offsets). If none comes, the records taken
   * for the failed flush would never be read again: stop rather than lose them.
   */
  async awaitGeneration(epoch: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.d.rejoinWaitMs ?? Math.max(4 * this.d.sessionTimeoutMs, 30_000));
    while (epoch === this.d.epoch() && !this.d.stopping() && Date.now() < deadline && !signal.aborted) await sleep(50, signal);
    if (epoch === this.d.epoch() && !this.d.stopping() && !signal.aborted) {
      throw new FaultlineError(
        'KAFKA_GENERATION',
        'the consumer group generation ended but no rejoin followed; exiting so that a restart re-reads the uncommitted records',
      );
    }
  }
}

/** Wait for `p` while keeping the group session alive (eachBatch blocks the fetch loop, which is what heartbeats). */
export async function heartbeating<T>(p: Promise<T>, payload: Pick<EachBatchPayload, 'heartbeat'>, everyMs = 500): Promise<T> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await Promise.race([p, sleep(everyMs)]);
    if (!settled) await payload.heartbeat();
  }
  return p;
}
