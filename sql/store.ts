// The Store interface the sink, the CLI, the dashboards tests and the benchmarks talk to.
// Two backends run the same SQL files: `server` (@clickhouse/client over HTTP) and
// `embedded` (chDB in-process, the default when no CLICKHOUSE_URL is configured).
import type { Event, Provenance, RejectReason, Source } from '../transform/event.ts';

/** One row of `faultline.events`: the event plus its Kafka provenance. */
export interface EventRow extends Event, Provenance {}

/** One row of `faultline.rejects`. */
export interface RejectRow extends Provenance {
  source: Source;
  reason: RejectReason;
  detail: string;
  /** Redacted first bytes of the record. */
  head: string;
  /** ISO millis, UTC. */
  transport_time: string;
}

export interface InsertOptions {
  /**
   * Deterministic insert-deduplication token (e.g. `topic:partition:first-last:events`).
   * A retried insert with the same token is dropped by ClickHouse, in the raw table and in
   * every materialized-view target alike.
   */
  dedupToken?: string;
}

/**
 * Rows already serialised by the caller (the sink builds them once, as records are read):
 * one row per line in `format`, values in `columns` order. Saves a row object and a
 * serialisation pass per row.
 */
export interface RowPayload {
  format: 'JSONCompactEachRow' | 'JSONEachRow' | 'TabSeparated';
  columns: readonly string[];
  /** Newline-terminated rows; a Buffer holds them UTF-8 encoded (e.g. built in a worker thread and transferred). */
  body: string | Buffer;
  /** Number of rows in `body` (logs, metrics). */
  rows: number;
}

/** Tables a payload goes to: the single-node names, or a shard's local tables on a cluster (sql/shard-route.ts). */
export type PayloadTable = 'events' | 'rejects' | 'events_local' | 'rejects_local';

export type QueryParams = Record<string, string | number | boolean | null | readonly (string | number)[]>;

export interface Store {
  readonly kind: 'server' | 'embedded';
  /** The database holding faultline's tables (validated when the store was opened). */
  readonly database: string;
  /** Apply pending migrations in order; returns the names applied now (empty when up to date). */
  migrate(): Promise<string[]>;
  /**
   * Insert pre-serialised rows into `table` of the store's database: the one way rows go in
   * (the sink's segments, sql/row-format.ts). A repeated `dedupToken` is dropped.
   */
  insertPayload(table: PayloadTable, payload: RowPayload, opts?: InsertOptions): Promise<void>;
  /** Run a SELECT with ClickHouse query parameters ({name:Type} placeholders); rows as objects. */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Run a statement that returns no rows (DDL, ALTER, SYSTEM …). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /**
   * This store making one attempt per call: for a caller that owns the retries of its path
   * (the sink, through sql/ledger.ts). The embedded store never retries: it is itself.
   */
  unretried(): Store;
  close(): Promise<void>;
}
