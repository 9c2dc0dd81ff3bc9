-- One Kafka record may give several rows: an OpenTelemetry OTLP message gives one event or reject
-- per log record (docs/real-inputs.md §1). `record_index` is the row's position among its
-- record's outcomes (0 for every other record), so a row is identified by (topic, partition,
-- offset, record_index): the key of the delivery guarantee and of the checked replay's lookup
-- (docs/delivery.md, "Several rows per record"). Rows stored before this migration read back 0,
-- which is what they are. The rollups select their columns by name and keep working unchanged;
-- a metadata-only change (no mutation rewrites parts).
ALTER TABLE ${db}.events ADD COLUMN IF NOT EXISTS record_index UInt32 DEFAULT 0 AFTER offset;

ALTER TABLE ${db}.rejects ADD COLUMN IF NOT EXISTS record_index UInt32 DEFAULT 0 AFTER offset;
