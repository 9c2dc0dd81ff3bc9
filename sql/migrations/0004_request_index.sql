-- Request-id -> time range index (as trace stores do): a lookup first reads this small table
-- ordered by request_id, then scans only the partitions and hours of that range in `events`.
CREATE TABLE IF NOT EXISTS ${db}.request_index
(
    request_id String,
    first_time SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_time  SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    events     SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY request_id
TTL toDateTime(last_time) + INTERVAL ${retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.request_index_mv TO ${db}.request_index AS
SELECT request_id, min(event_time) AS first_time, max(event_time) AS last_time, count() AS events
FROM ${db}.events
WHERE request_id != ''
GROUP BY request_id;

-- Per-batch ingest ledger written by the sink with the rows of each batch (same dedup
-- token): ingest rate, lag and the reconciliation offsets consumed = events + rejects.
CREATE TABLE IF NOT EXISTS ${db}.ingest_batches
(
    batch_time   DateTime64(3, 'UTC'),
    topic        LowCardinality(String),
    partition    Int32,
    first_offset Int64,
    last_offset  Int64,
    records      UInt64,
    events       UInt64,
    rejects      UInt64,
    lag          Int64,
    consumer     LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toDate(batch_time)
ORDER BY (topic, partition, batch_time)
TTL toDateTime(batch_time) + INTERVAL ${retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;
