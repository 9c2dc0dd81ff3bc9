// How current faultline's store is, from the sink's per-batch ledger (`ingest_batches`, written
// with every batch of rows: sql/migrations/0004_request_index.sql). Two queries:
//
// - the "Ingest stalled or behind" rule: per topic that ever wrote a batch, how many seconds
//   its data is behind the evaluation time; one row `topic = (none)` when the store holds no
//   batch at all, so an empty or dead store fires instead of returning nothing;
// - the freshness of the whole store (seconds since the newest batch of any topic), shown in
//   the annotations of the rules over events, so "resolved" is never read as "recovered"
//   while faultline is behind.
//
// Batch times are wall-clock times of the sink (not event times). The ledger only gets a row
// when records arrive: a topic that goes quiet on purpose looks stalled (see dashboards/README.md).
import type { Tables } from './types.ts';

/** Window in which lag and throughput are read; older history only answers "when was the last batch". */
const RECENT = 'INTERVAL 1 DAY';
/** Throughput window for the seconds-behind estimate. */
const RATE_WINDOW_S = 300;
/**
 * The evaluation time as DateTime64: comparing the DateTime64 `batch_time` with a DateTime in
 * WHERE drops rows of the same second (chDB 26.7 reads `19.500 < toDateTime(…20)` as false;
 * test/dashboards/stall.test.ts), so every bound is DateTime64.
 */
const TO = 'toDateTime64($__toTime, 3)';
/**
 * Batches up to the evaluation time: $__toTime is whole seconds (the macro truncates), so the
 * whole current second counts; a batch written in that second is not "after" the evaluation.
 */
const UP_TO = `batch_time < ${TO} + INTERVAL 1 SECOND`;
/** Label value of the row returned when the store holds no batch at or before the evaluation time. */
export const NO_BATCH_TOPIC = '(none)';

/**
 * value = max(seconds since the topic's last batch, seconds behind), where seconds behind is
 * the topic's consumer lag (the last batch of each partition, summed) divided by the records it
 * consumed per second over the last 5 minutes. A topic whose last batch is older than a day is
 * still there: its partitions come from the older history, read only for topics absent from
 * the last day (the primary key starts with `topic`, so while every topic is active that
 * branch reads no granule). With no batch at all, the `(none)` row's value is the seconds
 * since 1970: "never".
 */
export function ingestBehindSql(t: Tables): string {
  const inRecent = `batch_time > ${TO} - ${RECENT} AND ${UP_TO}`;
  return `SELECT topic, value FROM (
SELECT topic, greatest(toFloat64(dateDiff('second', last_batch, $__toTime)), behind) AS value
FROM (
  SELECT topic, max(last_batch) AS last_batch,
    if(sum(recent_records) > 0, round(sum(partition_lag) / (sum(recent_records) / ${RATE_WINDOW_S})), 0.) AS behind
  FROM (
    SELECT topic, partition, max(batch_time) AS last_batch, argMax(lag, batch_time) AS partition_lag,
      sumIf(records, batch_time > ${TO} - INTERVAL ${RATE_WINDOW_S} SECOND) AS recent_records
    FROM ${t.ingestBatches}
    WHERE ${inRecent}
    GROUP BY topic, partition
    UNION ALL
    SELECT topic, partition, max(batch_time) AS last_batch, 0 AS partition_lag, 0 AS recent_records
    FROM ${t.ingestBatches}
    WHERE batch_time <= ${TO} - ${RECENT}
      AND topic NOT IN (SELECT DISTINCT topic FROM ${t.ingestBatches} WHERE ${inRecent})
    GROUP BY topic, partition)
  GROUP BY topic)
UNION ALL
SELECT '${NO_BATCH_TOPIC}' AS topic, toFloat64(dateDiff('second', toDateTime(0), $__toTime)) AS value
FROM (SELECT count() AS n FROM (SELECT 1 FROM ${t.ingestBatches} WHERE ${UP_TO} LIMIT 1))
WHERE n = 0)
ORDER BY topic`;
}

/**
 * One unlabelled number: seconds between the evaluation time and the newest batch of any topic
 * in the last day; a day and more (no batch in the last day) reads as the seconds since 1970.
 */
export function storeFreshnessSql(t: Tables): string {
  return `SELECT toFloat64(if(count() = 0, dateDiff('second', toDateTime(0), $__toTime),
  dateDiff('second', max(batch_time), $__toTime))) AS value
FROM ${t.ingestBatches}
WHERE batch_time > ${TO} - ${RECENT} AND ${UP_TO}`;
}

/** Above this many seconds the freshness annotation says "more than a day". */
export const FRESHNESS_DAY_S = 86_400;
