-- How each record was read (docs/real-inputs.md §4): the envelope chain and the inner layout
-- joined by `/` (`json`, `docker/json`, `cri/text`, `otlp-json/text`, `unrecognized`, …).
-- Rows stored before this migration read back `''`. The rollups select their columns by name,
-- so they keep working unchanged; a metadata-only change (no mutation rewrites parts).
ALTER TABLE ${db}.events ADD COLUMN IF NOT EXISTS format LowCardinality(String) DEFAULT '' AFTER raw;
