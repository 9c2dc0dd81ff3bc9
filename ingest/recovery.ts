// Where each newly assigned partition starts, and how its pending intent is replayed. Read
// once per generation, after this process's own in-flight flush settled, from the committed
// offsets and metadata of every partition of the subscribed topics:
// - a flush composition (intent v2) whose partitions are ALL assigned to this member and
//   ALL still name that same composition is replayed whole: identical segments, order and
//   token, so ClickHouse drops whatever of it was stored and completes whatever was not;
// - otherwise (ownership split by a rebalance, or some partition of it already moved on, or a
//   per-partition v1 intent) the partition's ranges are cut exactly and checked against the
//   store (`Sink.writeMissing`).
import type { Admin } from 'kafkajs';
import { decodeComposition, decodeIntent, partitionKey } from './intent.ts';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';
import type { PartitionStart } from './partition-buffer.ts';
import { AbortedError, logFailure, retry, type BackoffPolicy } from '../lib/retry.ts';
import { classifyFetchOffsetsError } from './kafka-errors.ts';

export interface Committed {
  /** Committed position, null when the group has none. */
  offset: number | null;
  metadata: string | null;
}

/** Starts of the assigned partitions, from what is committed for every partition of the subscribed topics. */
export function planStarts(
  assignment: ReadonlyMap<string, ReadonlySet<number>>,
  committed: ReadonlyMap<string, Committed>,
): Map<string, PartitionStart> {
  const out = new Map<string, PartitionStart>();
  const assigned = (topic: string, partition: number) => assignment.get(topic)?.has(partition) ?? false;
  for (const [topic, partitions] of assignment) {
    for (const partition of partitions) {
      const k = partitionKey(topic, partition);
      const c = committed.get(k);
      if (!c || c.offset === null) {
        out.set(k, { committed: null, replay: [] });
        continue;
      }
      const refs = decodeComposition(c.metadata);
      if (!refs) {
        out.set(k, { committed: c.offset, replay: decodeIntent(c.metadata), group: null });
        continue;
      }
      const own = refs.filter((r) => r.topic === topic && r.partition === partition).map((r) => ({ first: r.first, last: r.last }));
      const whole = refs.every(
        (r) => assigned(r.topic, r.partition) && committed.get(partitionKey(r.topic, r.partition))?.metadata === c.metadata,
      );
      out.set(k, { committed: c.offset, replay: own, group: whole ? c.metadata : null });
    }
  }
  return out;
}

/** The log line announcing a partition's replay. */
export function describeReplay(k: string, start: PartitionStart): string {
  const how = start.group ? 'whole, with the flush it was in' : 'checked against the store (its flush is split between owners)';
  return `${k}: replaying ${start.replay.map((r) => `${r.first}-${r.last}`).join(',')} from the previous owner's intent, ${how}`;
}

/** Committed offsets and metadata of every partition of `topics`, retried until read (or `cancelled`). */
export async function fetchCommitted(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  deps: { backoff: BackoffPolicy; metrics: IngestMetrics; log: Logger; signal: AbortSignal; cancelled: () => boolean },
): Promise<Map<string, Committed> | null> {
  /** The generation was replaced (or the ingest stops) while reading: nobody needs the answer. */
  class Cancelled extends Error {}
  try {
    return await retry(
      'reading committed offsets',
      async () => {
        if (deps.cancelled()) throw new Cancelled();
        const res = await admin.fetchOffsets({ groupId, topics: [...topics] });
        const out = new Map<string, Committed>();
        for (const { topic, partitions } of res) {
          for (const p of partitions) {
            const offset = Number(p.offset) >= 0 ? Number(p.offset) : null;
            out.set(partitionKey(topic, p.partition), { offset, metadata: p.metadata ?? null });
          }
        }
        return out;
      },
      {
        policy: { ...deps.backoff, permanentAttempts: Infinity },
        classify: (err) => (err instanceof Cancelled ? 'stop' : classifyFetchOffsetsError(err)),
        signal: deps.signal,
        onFailure: (a) => {
          if (a.err instanceof Cancelled) return;
          deps.metrics.commitErrors.inc();
          logFailure(deps.log, a);
        },
      },
    );
  } catch (err) {
    if (err instanceof Cancelled || err instanceof AbortedError) return null;
    throw err;
  }
}
