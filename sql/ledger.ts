// The ingest ledger (`ingest_batches`, migration 0002) and the statements the delivery protocol
// runs against faultline's tables (docs/delivery.md): one ledger row per stored
// offset range, the checked replay's lookups (is this exact range in the ledger? which rows —
// (offset, record_index) — of a range are already in `events` ∪ `rejects`?), and the
// reconciliation behind `faultline status`. ingest/ orders, batches and tokens; every statement lives here.
import type { RowPayload, Store } from './store.ts';
import { insertWithoutViews } from './insert-without-views.ts';

/** One `ingest_batches` row: an offset range consumed and what was stored for it. */
export interface LedgerRow {
  topic: string;
  partition: number;
  first_offset: number;
  last_offset: number;
  records: number;
  events: number;
  rejects: number;
  lag: number;
  consumer: string;
}

/** An offset range of one partition, inclusive. */
export interface StoredRange {
  topic: string;
  partition: number;
  first: number;
  last: number;
}

/**
 * What the sink writes and checks. `deliveryTarget(store)` runs it against ClickHouse; the
 * model test (test/ingest/model/) keeps it in memory with the same dedup semantics.
 */
export interface DeliveryTarget {
  /** Rows into `events` or `rejects` under an insert-deduplication token. */
  insertRows(table: 'events' | 'rejects', payload: RowPayload, token: string): Promise<void>;
  /**
   * Rows added to the table without running its materialized views and without a token: the
   * repair of a torn insert, whose rows the views already counted (sql/insert-without-views.ts).
   */
  insertRepair(table: 'events' | 'rejects', payload: RowPayload): Promise<void>;
  /** Ledger rows, one insert under `token`. */
  insertLedger(rows: readonly LedgerRow[], token: string): Promise<void>;
  /** Whether the ledger holds a row for exactly this range (its rows were all acknowledged: the ledger is written last). */
  hasLedgerRange(range: StoredRange): Promise<boolean>;
  /**
   * Rows of `range` already stored in `events` or `rejects`, as `storedRowKey(offset,
   * record_index)`: per row, not per offset, since one Kafka record (an OTLP message) may
   * have rows in both tables and in several insert blocks (docs/delivery.md, "Several rows per record").
   */
  storedRows(range: StoredRange): Promise<ReadonlySet<string>>;
}

/**
 * The key of one stored row of a partition: its offset, and `.record_index` when that is not 0
 * (so a record with one outcome keys as its offset alone, and checked-replay tokens of such
 * records are what they were before record_index).
 */
export function storedRowKey(offset: number, recordIndex: number): string {
  return recordIndex === 0 ? String(offset) : `${offset}.${recordIndex}`;
}

const LEDGER_COLUMNS =
  "batch_time DateTime64(3, 'UTC'), topic String, partition Int32, first_offset Int64, last_offset Int64, records UInt64, events " +
  'UInt64, rejects UInt64, lag Int64, consumer String';
const LEDGER_NAMES = 'batch_time, topic, partition, first_offset, last_offset, records, events, rejects, lag, consumer';
/** Dedup tokens are spliced into the statement (a SETTINGS value cannot be a query parameter). */
const TOKEN = /^[A-Za-z0-9._:|-]{1,200}$/;

/**
 * The sink's target over a store; its calls make one attempt each (the sink owns the retries).
 * `local`: the store is one shard of a cluster, written and checked in its `_local` tables
 * (sql/cluster.ts, sql/shard-route.ts).
 */
export function deliveryTarget(over: Store, opts: { local?: boolean } = {}): DeliveryTarget {
  const store = over.unretried();
  const db = store.database;
  const sfx = opts.local ? '_local' : '';
  const [events, rejects, ledger] = [`${db}.events${sfx}`, `${db}.rejects${sfx}`, `${db}.ingest_batches${sfx}`];
  return {
    insertRows: (table, payload, token) => store.insertPayload(opts.local ? `${table}_local` : table, payload, { dedupToken: token }),
    insertRepair: (table, payload) => insertWithoutViews(store, db, opts.local ? `${table}_local` : table, payload),
    async insertLedger(rows, token) {
      if (!TOKEN.test(token)) throw new Error(`invalid ledger token ${token}`);
      const now = new Date().toISOString();
      const body = rows.map((r) => JSON.stringify({ batch_time: now, ...r })).join('\n');
      await store.command(
        `INSERT INTO ${ledger} (${LEDGER_NAMES}) SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${token}' ` +
          `SELECT * FROM format(JSONEachRow, '${LEDGER_COLUMNS.replace(/'/g, "\\'")}', {rows:String})`,
        { rows: body },
      );
    },
    async hasLedgerRange(r) {
      const rows = await store.query<{ n: number }>(
        `SELECT count() AS n FROM ${ledger} WHERE topic = {topic:String} AND partition = {partition:Int32} AND first_offset = ` +
          `{first:Int64} AND last_offset = {last:Int64}`,
        { ...r },
      );
      return Number(rows[0]?.n ?? 0) > 0;
    },
    async storedRows(r) {
      const where = 'topic = {topic:String} AND partition = {partition:Int32} AND offset BETWEEN {first:Int64} AND {last:Int64}';
      const rows = await store.query<{ offset: number | string; record_index: number | string }>(
        `SELECT offset, record_index FROM ${events} WHERE ${where} UNION ALL SELECT offset, record_index FROM ${rejects} WHERE ${where}`,
        { ...r },
      );
      return new Set(rows.map((row) => storedRowKey(Number(row.offset), Number(row.record_index))));
    },
  };
}

export interface PartitionReconciliation {
  topic: string;
  partition: number;
  ranges: number;
  first_offset: number;
  last_offset: number;
  /** Kafka records consumed (the ledger's ranges). */
  records: number;
  /**
   * Of those, the records stored: rows with record_index 0 in `events` ∪ `rejects` (every record
   * has exactly one such row, its first outcome; counting them costs a filtered count, where
   * distinct offsets would cost a hash set of every offset).
   */
  stored_records: number;
  events: number;
  rejects: number;
  /**
   * Rows stored minus rows the ledger says its ranges produced (events + rejects): 0 when every
   * (offset, record_index) is stored exactly once; negative: loss, positive: duplicates.
   */
  diff: number;
  lag: number;
  last_batch: string;
}

/** Whether a partition reconciles: every record consumed stored, every row exactly once. */
export const reconciled = (p: PartitionReconciliation): boolean => p.diff === 0 && p.stored_records === p.records;

/**
 * Per partition: the ledger's ranges (records consumed, and the rows they produced) against the
 * events and rejects stored. A Kafka record is one row, or one per log record of an OTLP message
 * (record_index), so records are reconciled by their first rows and rows by count. Ledger rows are
 * deduplicated by range: a row written twice (a replay that raced its original) is still one range.
 */
export function reconcile(store: Store): Promise<PartitionReconciliation[]> {
  const db = store.database;
  return store.query<PartitionReconciliation>(`
    WITH
      ledger AS (
        SELECT topic, partition, count() AS ranges, min(first_offset) AS first_offset, max(last_offset) AS last_offset,
               sum(records) AS records, sum(events) + sum(rejects) AS rows, argMax(lag, batch_time) AS lag, max(batch_time) AS last_batch
        FROM (SELECT * FROM ${db}.ingest_batches ORDER BY batch_time LIMIT 1 BY topic, partition, first_offset, last_offset)
        GROUP BY topic, partition
      ),
      ev AS (SELECT topic, partition, count() AS events, countIf(record_index = 0) AS firsts FROM ${db}.events GROUP BY topic, partition),
      rj AS (SELECT topic, partition, count() AS rejects, countIf(record_index = 0) AS firsts FROM ${db}.rejects GROUP BY topic, partition)
    SELECT l.topic AS topic, l.partition AS partition, toUInt64(l.ranges) AS ranges,
           l.first_offset AS first_offset, l.last_offset AS last_offset, toUInt64(l.records) AS records,
           toUInt64(ifNull(ev.firsts, 0) + ifNull(rj.firsts, 0)) AS stored_records,
           toUInt64(ifNull(ev.events, 0)) AS events, toUInt64(ifNull(rj.rejects, 0)) AS rejects,
           toInt64(ifNull(ev.events, 0) + ifNull(rj.rejects, 0)) - toInt64(l.rows) AS diff,
           l.lag AS lag, l.last_batch AS last_batch
    FROM ledger AS l
    LEFT JOIN ev ON ev.topic = l.topic AND ev.partition = l.partition
    LEFT JOIN rj ON rj.topic = l.topic AND rj.partition = l.partition
    ORDER BY topic, partition
    SETTINGS join_use_nulls = 1`);
}
