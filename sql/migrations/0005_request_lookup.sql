-- Request-id lookup helpers (measured in bench/storage.ts; see sql/trace.ts for the query).
-- A bloom-filter skip index on events.request_id lets a lookup skip granules of the hours the
-- request_index narrowed it to, and serves ids the index has not seen yet (no merge needed).
ALTER TABLE ${db}.events ADD INDEX IF NOT EXISTS idx_request_id request_id TYPE bloom_filter(0.001) GRANULARITY 1;

-- Rejects carry no parsed fields, but their redacted head often names the request: extract
-- the first `req_…` token at insert time (old parts compute it on read), with its own
-- bloom filter, so `trace` finds rejects without scanning every head.
ALTER TABLE ${db}.rejects ADD COLUMN IF NOT EXISTS request_id String MATERIALIZED extract(head, 'req_[A-Za-z0-9_-]+');
ALTER TABLE ${db}.rejects ADD INDEX IF NOT EXISTS idx_request_id request_id TYPE bloom_filter(0.001) GRANULARITY 1;
