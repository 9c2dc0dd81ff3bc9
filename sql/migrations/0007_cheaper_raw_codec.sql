-- Cheaper compression of the redacted raw record (bench/sink-only.ts --matrix, see bench/README.md
-- "Engine cost per stored event"). ZSTD(6) on `raw` cost ~6 µs of engine CPU per row at insert,
-- and again at every merge the row goes through; ZSTD(1) stores it ~8% larger on disk.
-- A codec change is metadata only: existing parts keep their codec until a merge rewrites them,
-- new parts use ZSTD(1); no mutation runs, and re-running this file is a no-op.
ALTER TABLE ${db}.events MODIFY COLUMN raw CODEC(ZSTD(1));

-- The redacted head of a reject is the same kind of text.
ALTER TABLE ${db}.rejects MODIFY COLUMN head CODEC(ZSTD(1));
