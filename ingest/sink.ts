// The sink: stores segments (events and rejects of offset ranges) and their ingest_batches
// ledger rows, each insert carrying its deterministic dedup token, retrying with backoff while
// the store is unavailable. It resolves only once ClickHouse acknowledged every row, which is
// what allows the caller to commit the offsets of those segments afterwards.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../sql/store.ts';
import { StoreError } from '../lib/errors.ts';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';
import { DEFAULT_BACKOFF, retrying, type BackoffPolicy } from './retry.ts';
import { dedupToken, type Segment } from './segment.ts';

export interface SinkOptions {
  store: Store;
  database: string;
  log: Logger;
  metrics?: IngestMetrics | undefined;
  backoff?: BackoffPolicy;
  /** The `consumer` column of the ledger (client id, host and pid by default). */
  consumer?: string;
  /** Segments inserted in parallel (chDB serialises anyway; a server benefits). */
  concurrency?: number;
}

export interface WriteOptions {
  signal?: AbortSignal | undefined;
  /** Lag of the partition after this segment (ledger column), when known. */
  lagOf?: (seg: Segment) => number;
}

const LEDGER_COLUMNS =
  "batch_time DateTime64(3, 'UTC'), topic String, partition Int32, first_offset Int64, last_offset Int64, records UInt64, events UInt64, rejects UInt64, lag Int64, consumer String";

const LEDGER_NAMES = 'batch_time, topic, partition, first_offset, last_offset, records, events, rejects, lag, consumer';

export class Sink {
  private readonly store: Store;
  private readonly db: string;
  private readonly log: Logger;
  private readonly metrics: IngestMetrics | undefined;
  private readonly backoff: BackoffPolicy;
  readonly consumer: string;
  private readonly concurrency: number;

  constructor(opts: SinkOptions) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.database)) throw new StoreError(`invalid database name ${opts.database}`, { retriable: false });
    this.store = opts.store;
    this.db = opts.database;
    this.log = opts.log;
    this.metrics = opts.metrics;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.consumer = opts.consumer ?? `faultline@${hostname()}:${process.pid}`;
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
  }

  private retry<T>(what: string, fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return retrying(what, fn, {
      policy: this.backoff,
      log: this.log,
      signal,
      onError: (err) => this.metrics?.storeErrors.inc({ code: err instanceof StoreError ? String(err.clickhouseCode ?? err.code) : 'other' }),
    });
  }

  /** Store the rows and ledger rows of `segments`; resolves once all are acknowledged. */
  async write(segments: readonly Segment[], opts: WriteOptions = {}): Promise<void> {
    if (segments.length === 0) return;
    const started = performance.now();
    const queue = [...segments];
    const worker = async () => {
      for (let seg = queue.shift(); seg; seg = queue.shift()) {
        const s = seg;
        if (s.events.rows > 0) {
          await this.retry(`insert of ${s.events.rows} events (${s.topic}/${s.partition} ${s.first}-${s.last})`, () => this.store.insertPayload('events', s.events, { dedupToken: dedupToken(s, 'events') }), opts.signal);
        }
        if (s.rejects.rows > 0) {
          await this.retry(`insert of ${s.rejects.rows} rejects (${s.topic}/${s.partition} ${s.first}-${s.last})`, () => this.store.insertPayload('rejects', s.rejects, { dedupToken: dedupToken(s, 'rejects') }), opts.signal);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, segments.length) }, worker));
    await this.writeLedger(segments, opts);
    this.metrics?.insertSeconds.observe((performance.now() - started) / 1000);
  }

  /**
   * One ledger row per segment, all in one insert (one insert per segment would double the
   * insert count). Its token covers the set of segments, so an in-process retry is dropped; a
   * replayed segment (new owner, different set) first checks whether its row already exists.
   */
  private async writeLedger(segments: readonly Segment[], opts: WriteOptions): Promise<void> {
    let rows = segments;
    const replayed = segments.filter((s) => s.replayed);
    if (replayed.length > 0) {
      const existing = new Set<string>();
      for (const s of replayed) {
        const found = await this.retry('ledger lookup', () => this.store.query<{ n: number }>(
          `SELECT count() AS n FROM ${this.db}.ingest_batches WHERE topic = {topic:String} AND partition = {partition:Int32} AND first_offset = {first:Int64} AND last_offset = {last:Int64}`,
          { topic: s.topic, partition: s.partition, first: s.first, last: s.last },
        ), opts.signal);
        if (Number(found[0]?.n ?? 0) > 0) existing.add(`${s.topic}/${s.partition}/${s.first}`);
      }
      rows = segments.filter((s) => !existing.has(`${s.topic}/${s.partition}/${s.first}`));
      if (rows.length === 0) return;
    }
    const now = new Date().toISOString();
    const payload = rows
      .map((s) => JSON.stringify({
        batch_time: now, topic: s.topic, partition: s.partition, first_offset: s.first, last_offset: s.last,
        records: s.records, events: s.events.rows, rejects: s.rejects.rows, lag: opts.lagOf?.(s) ?? 0, consumer: this.consumer,
      }))
      .join('\n');
    const token = 'fl1:ledger:' + createHash('sha1').update(rows.map((s) => dedupToken(s, 'ledger')).join('|')).digest('hex');
    await this.retry(`ledger insert of ${rows.length} rows`, () => this.store.command(
      `INSERT INTO ${this.db}.ingest_batches (${LEDGER_NAMES}) SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${token}' ` +
        `SELECT * FROM format(JSONEachRow, '${LEDGER_COLUMNS.replace(/'/g, "\\'")}', {rows:String})`,
      { rows: payload },
    ), opts.signal);
  }
}
