-- Hourly event counts with the dimensions of events_1m, for panels over days or weeks: a
-- 7-day panel reads 168 hours instead of 10,080 minutes (bench/storage.ts measures both
-- against the raw events). Fed straight from `events`, with its own dedup window like every
-- MV target.
CREATE TABLE IF NOT EXISTS ${db}.events_1h
(
    hour              DateTime('UTC'),
    source            LowCardinality(String),
    channel           LowCardinality(String),
    app_id            LowCardinality(String),
    outcome           LowCardinality(String),
    category          LowCardinality(String),
    code              LowCardinality(String),
    http_status       UInt16,
    limit_kind        LowCardinality(String),
    upstream_vendor   LowCardinality(String),
    upstream_code     LowCardinality(String),
    upstream_sub_code LowCardinality(String),
    catalog_drift     Bool,
    events            UInt64,
    latency_ms_sum    UInt64,
    latency_ms_count  UInt64
)
ENGINE = SummingMergeTree((events, latency_ms_sum, latency_ms_count))
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, source, channel, outcome, category, code, http_status, limit_kind, upstream_vendor, upstream_code, upstream_sub_code, app_id, catalog_drift)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.events_1h_mv TO ${db}.events_1h AS
SELECT
    toStartOfHour(event_time) AS hour,
    source, channel, app_id, outcome, category, code, http_status, limit_kind,
    upstream_vendor, upstream_code, upstream_sub_code, catalog_drift,
    count() AS events,
    sum(ifNull(latency_ms, 0)) AS latency_ms_sum,
    countIf(latency_ms IS NOT NULL) AS latency_ms_count
FROM ${db}.events
GROUP BY hour, source, channel, app_id, outcome, category, code, http_status, limit_kind,
         upstream_vendor, upstream_code, upstream_sub_code, catalog_drift;
