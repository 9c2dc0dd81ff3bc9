// Reconciliation, per partition, from what is stored: the ledger (ingest_batches) says which
// offset ranges were consumed and how many records they held; events and rejects say what was
// stored for them. Every record becomes exactly one event or one reject, so records =
// events + rejects, and a difference means loss (negative) or duplicates (positive).
// Ledger rows are deduplicated by range: a row written twice (a replay that raced its original)
// is still one range.
import type { Store } from '../sql/store.ts';

export interface PartitionReconciliation {
  topic: string;
  partition: number;
  ranges: number;
  first_offset: number;
  last_offset: number;
  records: number;
  events: number;
  rejects: number;
  /** events + rejects - records: 0 when every consumed offset is stored exactly once. */
  diff: number;
  lag: number;
  last_batch: string;
}

export async function reconcile(store: Store, db: string): Promise<PartitionReconciliation[]> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) throw new Error(`invalid database name ${db}`);
  return store.query<PartitionReconciliation>(`
    WITH
      ledger AS (
        SELECT topic, partition, count() AS ranges, min(first_offset) AS first_offset, max(last_offset) AS last_offset,
               sum(records) AS records, argMax(lag, batch_time) AS lag, max(batch_time) AS last_batch
        FROM (SELECT * FROM ${db}.ingest_batches ORDER BY batch_time LIMIT 1 BY topic, partition, first_offset, last_offset)
        GROUP BY topic, partition
      ),
      ev AS (SELECT topic, partition, count() AS events FROM ${db}.events GROUP BY topic, partition),
      rj AS (SELECT topic, partition, count() AS rejects FROM ${db}.rejects GROUP BY topic, partition)
    SELECT l.topic AS topic, l.partition AS partition, toUInt64(l.ranges) AS ranges,
           l.first_offset AS first_offset, l.last_offset AS last_offset, toUInt64(l.records) AS records,
           toUInt64(ifNull(ev.events, 0)) AS events, toUInt64(ifNull(rj.rejects, 0)) AS rejects,
           toInt64(ifNull(ev.events, 0) + ifNull(rj.rejects, 0)) - toInt64(l.records) AS diff,
           l.lag AS lag, l.last_batch AS last_batch
    FROM ledger AS l
    LEFT JOIN ev ON ev.topic = l.topic AND ev.partition = l.partition
    LEFT JOIN rj ON rj.topic = l.topic AND rj.partition = l.partition
    ORDER BY topic, partition
    SETTINGS join_use_nulls = 1`);
}
