-- Dead-letter store (docs/event-model.md §7): every record that could not become an event.
CREATE TABLE IF NOT EXISTS ${db}.rejects
(
    transport_time DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    source         LowCardinality(String),
    topic          LowCardinality(String),
    partition      Int32,
    offset         Int64,
    reason         LowCardinality(String),
    detail         String CODEC(ZSTD(3)),
    head           String CODEC(ZSTD(6)),
    ingest_time    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toDate(transport_time)
ORDER BY (reason, transport_time)
TTL toDateTime(transport_time) + INTERVAL ${retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;
