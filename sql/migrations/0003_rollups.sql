-- Per-minute rollups fed by materialized views, so that dashboards over days read only these.
-- Every MV target keeps its own insert-deduplication window: a retried insert that the raw
-- table drops must not be counted twice here (measured on chDB 26.7: without it the rollups double-count a retried block).

-- Event counts by every dimension the dashboards and alerts group or filter on.
-- `events` counts every event (ok ones too), so error rates = errors / requests.
CREATE TABLE IF NOT EXISTS ${db}.events_1m
(
    minute            DateTime('UTC'),
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
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, source, channel, outcome, category, code, http_status, limit_kind, upstream_vendor, upstream_code, upstream_sub_code, app_id, catalog_drift)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.events_1m_mv TO ${db}.events_1m AS
SELECT
    toStartOfMinute(event_time) AS minute,
    source, channel, app_id, outcome, category, code, http_status, limit_kind,
    upstream_vendor, upstream_code, upstream_sub_code, catalog_drift,
    count() AS events,
    sum(ifNull(latency_ms, 0)) AS latency_ms_sum,
    countIf(latency_ms IS NOT NULL) AS latency_ms_count
FROM ${db}.events
GROUP BY minute, source, channel, app_id, outcome, category, code, http_status, limit_kind,
         upstream_vendor, upstream_code, upstream_sub_code, catalog_drift;

-- 1688 order lines that failed, by error code.
CREATE TABLE IF NOT EXISTS ${db}.failed_offers_1m
(
    minute     DateTime('UTC'),
    source     LowCardinality(String),
    channel    LowCardinality(String),
    code       LowCardinality(String),
    error_code LowCardinality(String),
    lines      UInt64
)
ENGINE = SummingMergeTree(lines)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, source, channel, code, error_code)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.failed_offers_1m_mv TO ${db}.failed_offers_1m AS
SELECT
    toStartOfMinute(event_time) AS minute, source, channel, code,
    tupleElement(offer, 'error_code') AS error_code,
    count() AS lines
FROM ${db}.events
ARRAY JOIN failed_offers AS offer
GROUP BY minute, source, channel, code, error_code;

-- Rejects by reason.
CREATE TABLE IF NOT EXISTS ${db}.rejects_1m
(
    minute  DateTime('UTC'),
    source  LowCardinality(String),
    topic   LowCardinality(String),
    reason  LowCardinality(String),
    rejects UInt64
)
ENGINE = SummingMergeTree(rejects)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, source, topic, reason)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.rejects_1m_mv TO ${db}.rejects_1m AS
SELECT toStartOfMinute(transport_time) AS minute, source, topic, reason, count() AS rejects
FROM ${db}.rejects
GROUP BY minute, source, topic, reason;
