-- Per-installation settings kept in the store. The first is the redaction key
-- (docs/secrets.md §4): the HMAC-SHA256 key of the `[REDACTED:<fp>]` fingerprints of API keys and
-- bearer tokens. The key itself is made by `faultline migrate` from node:crypto's random bytes
-- (sql/redaction-key.ts), not here: ClickHouse's randomString is no cryptographic generator.
-- Plain MergeTree: two processes racing to create the key may both insert one; readers take the
-- oldest row, always the same, so the fingerprints never change (a Replacing engine would keep the
-- newest after a merge and change them).
CREATE TABLE IF NOT EXISTS ${db}.installation
(
    name String,
    value String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY name
-- As every table here: a retried insert is not stored twice (the Replicated form on a cluster).
SETTINGS non_replicated_deduplication_window = 10000;
