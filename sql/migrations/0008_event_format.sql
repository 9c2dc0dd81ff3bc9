-- How each record was read (docs/real-inputs.md §4): the envelope chain and the inner layout
-- joined by `/` (`json`, `docker/json`, `cri/text`, `otlp-json/text`, `unrecognized`, …).
-- Rows stored before this migration read back `''`. The rollups select their columns by name,
-- so they keep working unchanged; a metadata-only change (no mutation rewrites parts).
ALTER TABLE ${db}.events ADD COLUMN IF NOT EXISTS format LowCardinality(String) DEFAULT '' AFTER raw;

-- Records per minute, topic and format, for the "Unrecognized records" alert rule and the formats
-- seen (a misconfigured shipper must page someone, docs/real-inputs.md §4). Deduplication window
-- as on every rollup target, so a retried insert is not counted twice.
CREATE TABLE IF NOT EXISTS ${db}.formats_1m
(
    minute  DateTime('UTC'),
    topic   LowCardinality(String),
    source  LowCardinality(String),
    format  LowCardinality(String),
    events  UInt64
)
ENGINE = SummingMergeTree(events)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, topic, source, format)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.formats_1m_mv TO ${db}.formats_1m AS
SELECT toStartOfMinute(event_time) AS minute, topic, source, format, count() AS events
FROM ${db}.events
GROUP BY minute, topic, source, format;
