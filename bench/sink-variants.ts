// The variants bench/sink-only.ts --matrix measures: each is the released schema (migrations
// 0001–0006, plus 0007+ when present) with ONE change to its DDL, its input format or its
// insert settings, so the table prices one factor at a time.
export interface Variant {
  name: string;
  what: string;
  format?: 'JSONCompactEachRow' | 'TabSeparated' | 'JSONEachRow';
  /** Write event_time as `YYYY-MM-DD hh:mm:ss.sss` (what date_time_input_format=basic reads). */
  basicTime?: boolean;
  settings?: Record<string, string | number>;
  /** Build on every migration of sql/migrations (0007+ too), not only the released 0001–0006. */
  allMigrations?: boolean;
  /** The migration statements (database substituted) to run instead of the released ones. */
  ddl: (stmts: string[], db: string) => string[];
}

const same = (s: string[]): string[] => s;
const isEvents = (s: string, db: string) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${db}.events\n`);
/** Rewrite the CREATE TABLE of events only. */
const onEvents = (f: (s: string) => string) => (stmts: string[], db: string) => stmts.map((s) => (isEvents(s, db) ? f(s) : s));
const dropView =
  (...names: string[]) =>
  (stmts: string[], db: string) =>
    stmts.filter((s) => !names.some((n) => s.startsWith(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${n} `)));
const appendDdl =
  (...extra: string[]) =>
  (stmts: string[], db: string) => [...stmts, ...extra.map((e) => e.replaceAll('${db}', db))];
const compose =
  (...fs: Array<(s: string[], db: string) => string[]>) =>
  (stmts: string[], db: string) =>
    fs.reduce((acc, f) => f(acc, db), stmts);

const DIMS =
  'source, channel, app_id, outcome, category, code, http_status, limit_kind, upstream_vendor, upstream_code, upstream_sub_code, ' +
  'catalog_drift';
/** events_1h fed from the blocks events_1m_mv writes (already grouped by minute), not from events. */
export const CASCADE_1H = (db: string) => `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.events_1h_mv TO ${db}.events_1h AS
SELECT toStartOfHour(minute) AS hour, ${DIMS},
    sum(events) AS events, sum(latency_ms_sum) AS latency_ms_sum, sum(latency_ms_count) AS latency_ms_count
FROM ${db}.events_1m
GROUP BY hour, ${DIMS}`;
const cascade = (stmts: string[], db: string) =>
  stmts.map((s) => (s.startsWith(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.events_1h_mv `) ? CASCADE_1H(db) : s));
const noBloom = (stmts: string[]) => stmts.filter((s) => !/ALTER TABLE \S+\.events ADD INDEX/.test(s));

export const VARIANTS: Variant[] = [
  { name: 'base', what: "released schema, JSONCompactEachRow, today's settings", ddl: same },
  { name: 'tsv', what: 'TabSeparated input', format: 'TabSeparated', ddl: same },
  { name: 'jsoneachrow', what: 'JSONEachRow objects (before)', format: 'JSONEachRow', ddl: same },
  {
    name: 'tsv-basic',
    what: 'TabSeparated, times as YYYY-MM-DD hh:mm:ss.sss, date_time_input_format=basic',
    format: 'TabSeparated',
    basicTime: true,
    settings: { date_time_input_format: 'basic' },
    ddl: same,
  },
  {
    name: 'raw-zstd1',
    what: 'raw CODEC(ZSTD(1))',
    ddl: onEvents((s) => s.replace(/(raw\s+String) CODEC\(ZSTD\(6\)\)/, '$1 CODEC(ZSTD(1))')),
  },
  { name: 'raw-lz4', what: 'raw CODEC(LZ4)', ddl: onEvents((s) => s.replace(/(raw\s+String) CODEC\(ZSTD\(6\)\)/, '$1 CODEC(LZ4)')) },
  { name: 'codecs-lz4', what: 'every events codec LZ4 (Delta kept)', ddl: onEvents((s) => s.replace(/ZSTD\(\d\)/g, 'LZ4')) },
  { name: 'msg-zstd1', what: 'message, upstream_message ZSTD(1)', ddl: onEvents((s) => s.replace(/ZSTD\(3\)/g, 'ZSTD(1)')) },
  { name: 'no-bloom', what: 'no bloom_filter index on events.request_id', ddl: noBloom },
  {
    name: 'bloom-0.01',
    what: 'bloom_filter(0.01) instead of 0.001',
    ddl: (st) =>
      st.map((x) =>
        x.replace(/(events ADD INDEX IF NOT EXISTS idx_request_id request_id TYPE) bloom_filter\(0\.001\)/, '$1 bloom_filter(0.01)'),
      ),
  },
  {
    name: 'no-sparse',
    what: 'events: no sparse columns (ratio_of_defaults_for_sparse_serialization=1)',
    ddl: appendDdl('ALTER TABLE ${db}.events MODIFY SETTING ratio_of_defaults_for_sparse_serialization = 1'),
  },
  { name: 'no-1m', what: 'without events_1m_mv', ddl: dropView('events_1m_mv') },
  { name: 'no-offers', what: 'without failed_offers_1m_mv', ddl: dropView('failed_offers_1m_mv') },
  { name: 'no-reqidx', what: 'without request_index_mv', ddl: dropView('request_index_mv') },
  { name: 'no-1h', what: 'without events_1h_mv', ddl: dropView('events_1h_mv') },
  { name: 'no-views', what: 'without any view', ddl: dropView('events_1m_mv', 'failed_offers_1m_mv', 'request_index_mv', 'events_1h_mv') },
  { name: 'cascade-1h', what: 'events_1h_mv reads events_1m', ddl: cascade },
  {
    name: 'order-short',
    what: 'ORDER BY (toStartOfHour(event_time), category)',
    ddl: onEvents((s) => s.replace(/ORDER BY \([^\n]*\)/, 'ORDER BY (toStartOfHour(event_time), category)')),
  },
  {
    name: 'no-lowcard',
    what: 'events: String instead of LowCardinality(String)',
    ddl: onEvents((s) => s.replace(/LowCardinality\(String\)/g, 'String')),
  },
  {
    name: 'no-dedup',
    what: 'insert_deduplicate=0 (price only, not usable)',
    settings: { insert_deduplicate: 0, deduplicate_blocks_in_dependent_materialized_views: 0 },
    ddl: same,
  },
  {
    name: 'no-mv-dedup',
    what: 'no dedup in views (price only)',
    settings: { deduplicate_blocks_in_dependent_materialized_views: 0 },
    ddl: same,
  },
  { name: 'no-opt-insert', what: 'optimize_on_insert=0', settings: { optimize_on_insert: 0 }, ddl: same },
  { name: 'no-par-parse', what: 'input_format_parallel_parsing=0', settings: { input_format_parallel_parsing: 0 }, ddl: same },
  { name: 'threads-1', what: 'max_threads=1, max_insert_threads=1', settings: { max_threads: 1, max_insert_threads: 1 }, ddl: same },
  { name: 'parallel-views', what: 'parallel_view_processing=1', settings: { parallel_view_processing: 1 }, ddl: same },
  {
    name: 'compact-parts',
    what: 'events: compact parts up to 256 MB',
    ddl: appendDdl('ALTER TABLE ${db}.events MODIFY SETTING min_bytes_for_wide_part = 268435456, min_rows_for_wide_part = 10000000'),
  },
  {
    name: 'wide-parts',
    what: 'events: always wide parts',
    ddl: appendDdl('ALTER TABLE ${db}.events MODIFY SETTING min_bytes_for_wide_part = 0, min_rows_for_wide_part = 0'),
  },
  {
    name: 'combo',
    what: 'raw ZSTD(1) + cascade-1h + optimize_on_insert=0',
    settings: { optimize_on_insert: 0 },
    ddl: compose(
      onEvents((s) => s.replace(/(raw\s+String) CODEC\(ZSTD\(6\)\)/, '$1 CODEC(ZSTD(1))')),
      cascade,
    ),
  },
  {
    name: 'tsv-zstd1',
    what: 'TabSeparated + raw ZSTD(1)',
    format: 'TabSeparated',
    ddl: onEvents((s) => s.replace(/(raw\s+String) CODEC\(ZSTD\(6\)\)/, '$1 CODEC(ZSTD(1))')),
  },
  { name: 'now', what: 'every migration in sql/migrations (0007 included), JSONCompactEachRow', allMigrations: true, ddl: same },
  { name: 'now-tsv', what: 'every migration, TabSeparated', allMigrations: true, format: 'TabSeparated', ddl: same },
  {
    name: 'now-tsv-basic',
    what: 'every migration, TabSeparated, times as YYYY-MM-DD hh:mm:ss.sss, date_time_input_format=basic',
    allMigrations: true,
    format: 'TabSeparated',
    basicTime: true,
    settings: { date_time_input_format: 'basic' },
    ddl: same,
  },
  // What each view costs per row today (every migration, TabSeparated), and the hourly cascade.
  ...(
    [
      ['cascade-1h', 'events_1h_mv reads events_1m', cascade],
      ['no-1m', 'without events_1m_mv', dropView('events_1m_mv')],
      ['no-offers', 'without failed_offers_1m_mv', dropView('failed_offers_1m_mv')],
      ['no-reqidx', 'without request_index_mv', dropView('request_index_mv')],
      ['no-1h', 'without events_1h_mv', dropView('events_1h_mv')],
      ['no-formats', 'without formats_1m_mv', dropView('formats_1m_mv')],
      [
        'no-views',
        'without any view',
        dropView('events_1m_mv', 'failed_offers_1m_mv', 'request_index_mv', 'events_1h_mv', 'formats_1m_mv'),
      ],
    ] as const
  ).map(
    ([n, what, ddl]): Variant => ({
      name: `now-tsv-${n}`,
      what: `every migration, TabSeparated, ${what}`,
      allMigrations: true,
      format: 'TabSeparated',
      ddl,
    }),
  ),
];
