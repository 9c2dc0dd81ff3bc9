-- Raw normalized events (docs/event-model.md §2) plus Kafka provenance.
-- ${db} and ${retention_days} are substituted by `faultline migrate`.
-- Partitioned by day so TTL drops whole parts; ordered so that time-range scans filtered by
-- category / code / channel read few granules.
CREATE TABLE IF NOT EXISTS ${db}.events
(
    event_time        DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    source            LowCardinality(String),
    request_id        String CODEC(ZSTD(1)),
    http_status       UInt16,
    outcome           LowCardinality(String),
    code              LowCardinality(String),
    category          LowCardinality(String),
    limit_kind        LowCardinality(String),
    channel           LowCardinality(String),
    upstream_vendor   LowCardinality(String),
    upstream_code     LowCardinality(String),
    upstream_sub_code LowCardinality(String),
    upstream_message  String CODEC(ZSTD(3)),
    message           String CODEC(ZSTD(3)),
    failed_offers     Array(Tuple(offer_id String, spec_id String, error_code String, error_message String)),
    route             LowCardinality(String),
    method            LowCardinality(String),
    latency_ms        Nullable(UInt32),
    attempt           Nullable(UInt16),
    app_id            LowCardinality(String),
    catalog_drift     Bool,
    raw               String CODEC(ZSTD(6)),
    topic             LowCardinality(String),
    partition         Int32,
    offset            Int64,
    ingest_time       DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(event_time)
ORDER BY (toStartOfHour(event_time), category, code, channel, event_time)
TTL toDateTime(event_time) + INTERVAL ${retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;
