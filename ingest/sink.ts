// The sink: stores segments (events and rejects of offset ranges) and their ledger rows
// (sql/ledger.ts), each insert carrying its deterministic dedup token, retrying with backoff while
// the store is unavailable. It resolves only once ClickHouse acknowledged every row, which is
// what allows the caller to commit the offsets of those segments afterwards.
import { hostname } from 'node:os';
import type { DeliveryTarget, LedgerRow, StoredRange } from '../sql/ledger.ts';
import type { RowPayload } from '../sql/store.ts';
import { StoreError } from '../lib/errors.ts';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';
import { DEFAULT_BACKOFF, logFailure, retry, type BackoffPolicy } from '../lib/retry.ts';
import { classifyStoreError } from '../sql/store-errors.ts';
import type { Segment } from './segment.ts';
import { checkedToken, flushToken, ledgerToken, repairToken } from './tokens.ts';

export interface SinkOptions {
  /** Where rows and ledger rows go: `deliveryTarget(store)` (sql/ledger.ts). */
  target: DeliveryTarget;
  log: Logger;
  metrics?: IngestMetrics | undefined;
  backoff?: BackoffPolicy;
  /** The `consumer` column of the ledger (client id, host and pid by default). */
  consumer?: string;
}

export interface WriteOptions {
  signal?: AbortSignal | undefined;
  /** Lag of the partition after this segment (ledger column), when known. */
  lagOf?: (seg: Segment) => number;
}

export class Sink {
  private readonly target: DeliveryTarget;
  private readonly log: Logger;
  private readonly metrics: IngestMetrics | undefined;
  private readonly backoff: BackoffPolicy;
  readonly consumer: string;

  constructor(opts: SinkOptions) {
    this.target = opts.target;
    this.log = opts.log;
    this.metrics = opts.metrics;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.consumer = opts.consumer ?? `faultline@${hostname()}:${process.pid}`;
  }

  /** The sink owns the retries of its store calls (the store it gets makes one attempt per call: sql/ledger.ts). */
  private retry<T>(what: string, fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return retry(what, fn, {
      policy: this.backoff,
      classify: classifyStoreError,
      signal,
      onFailure: (a) => {
        this.metrics?.storeErrors.inc({ code: a.err instanceof StoreError ? String(a.err.clickhouseCode ?? a.err.code) : 'other' });
        logFailure(this.log, a);
      },
    });
  }

  /**
   * Store the rows and ledger rows of `segments` as ONE insert per table (events, rejects,
   * ledger), in the given order, under tokens of the ordered segment list (`flushToken`):
   * written again with the same segments in the same order — an in-process retry, or the next
   * owner replaying the flush's composition — ClickHouse drops it block by block, in `events`
   * and in every view target, which also heals a write that was cut short. Resolves once all
   * are acknowledged.
   */
  async write(segments: readonly Segment[], opts: WriteOptions = {}): Promise<void> {
    if (segments.length === 0) return;
    const started = performance.now();
    const what =
      segments.length === 1
        ? `${segments[0]!.topic}/${segments[0]!.partition} ${segments[0]!.first}-${segments[0]!.last}`
        : `${segments.length} segments`;
    for (const table of ['events', 'rejects'] as const) {
      const payload = concat(segments.map((s) => s[table]));
      if (payload.rows === 0) continue;
      const token = flushToken(segments, table);
      await this.retry(`insert of ${payload.rows} ${table} (${what})`, () => this.target.insertRows(table, payload, token), opts.signal);
    }
    await this.insertLedger(segments, opts);
    this.metrics?.insertSeconds.observe((performance.now() - started) / 1000);
  }

  /**
   * The fallback for a replayed segment that cannot be replayed inside its whole flush (its
   * partitions now have different owners): store only what is missing. The rows — (offset,
   * record_index) — already in `events` ∪ `rejects` are left out, and the rest is inserted under a
   * token of exactly the rows inserted, so a retry, or a replay after a crash that re-checks
   * and finds the same set missing, is dropped, while a different missing set is new content.
   * A ledger row for the exact range no longer means the rows are there (a torn insert, see
   * `repair`), but it does mean an insert of all of them was acknowledged, which fed the views:
   * rows missing then are added the repair's way, without running the views again. Otherwise
   * what it inserted under tokens is verified like a whole replay. Returns the rows inserted now (repairs included).
   * Residual (docs/delivery.md): rows whose `events` part was written without their view parts
   * (a kill inside one insert) stay short in the rollups.
   */
  async writeMissing(seg: Segment, opts: WriteOptions = {}): Promise<{ events: number; rejects: number }> {
    const started = performance.now();
    const ledger = await this.retry('ledger lookup', () => this.target.hasLedgerRange(rangeOf(seg)), opts.signal);
    const stored = await this.retry('stored-rows lookup', () => this.target.storedRows(rangeOf(seg)), opts.signal);
    const n = await this.insertMissing(seg, stored, ledger ? null : (keys, table) => checkedToken(seg, keys, table), opts);
    // Under tokens (the check's and the ledger's) an insert can tear: read them back. A repair cannot (no token).
    let r = { events: 0, rejects: 0 };
    if (!ledger) {
      await this.insertLedger([seg], opts);
      r = await this.repair([seg], opts);
    }
    this.metrics?.insertSeconds.observe((performance.now() - started) / 1000);
    return { events: n.events + r.events, rejects: n.rejects + r.rejects };
  }

  /**
   * After a replay (whole or checked), before its offsets are committed: the rows of `segments`
   * the store does not hold are added to their tables (views not run: they counted them when the
   * replay pushed the torn block to them), and their ledger rows, under a token never used
   * before, when the exact range has none. Why: ClickHouse's non-replicated deduplication adds a
   * block's id to the table's deduplication log *before* it renames the block's new part into
   * place (MergeTreeSink::finishDelayedChunk: `deduplication_log->addPart`, then
   * `renameTempPartAndAdd`). An engine killed between the two — chDB dies with faultline — keeps
   * the id and loses the part, and from then on every insert under that token, the next owner's
   * replay included, is acknowledged and dropped. A whole replay's tokens are the first owner's,
   * so only reading the rows back tells. Returns what was inserted again (0 in the usual case;
   * one lookup per segment).
   */
  async repair(segments: readonly Segment[], opts: WriteOptions = {}): Promise<{ events: number; rejects: number; ledger: number }> {
    const out = { events: 0, rejects: 0, ledger: 0 };
    for (const seg of segments) {
      const range = rangeOf(seg);
      const stored = await this.retry('stored-rows lookup', () => this.target.storedRows(range), opts.signal);
      const n = await this.insertMissing(seg, stored, null, opts);
      const ledger = await this.retry('ledger lookup', () => this.target.hasLedgerRange(range), opts.signal);
      if (!ledger) {
        const token = repairToken(seg);
        await this.retry('ledger insert of 1 row', () => this.target.insertLedger([this.ledgerRow(seg, opts)], token), opts.signal);
      }
      if (n.events + n.rejects > 0 || !ledger) {
        this.log.warn(
          `${seg.topic}/${seg.partition} ${seg.first}-${seg.last}: ${n.events} events, ${n.rejects} rejects` +
            `${ledger ? '' : ' and the ledger row'} were acknowledged by the store before but are not in it (an insert torn by a ` +
            'kill inside the engine: its deduplication entry kept, its part lost); repaired: the rows added without their views ' +
            '(which counted them), the ledger row under a new token',
        );
        this.metrics?.repairedRows.inc({ table: 'events' }, n.events);
        this.metrics?.repairedRows.inc({ table: 'rejects' }, n.rejects);
        this.metrics?.repairedRows.inc({ table: 'ledger' }, ledger ? 0 : 1);
      }
      out.events += n.events;
      out.rejects += n.rejects;
      out.ledger += ledger ? 0 : 1;
    }
    return out;
  }

  /**
   * The rows of `seg` not in `stored`, inserted per table under `tokenOf` their keys; or, with
   * `tokenOf` null (a repair), without a token and without running the views, which counted
   * them already when the replay pushed the torn block to them (sql/insert-without-views.ts).
   */
  private async insertMissing(
    seg: Segment,
    stored: ReadonlySet<string>,
    tokenOf: ((keys: readonly string[], table: 'events' | 'rejects') => string) | null,
    opts: WriteOptions,
  ): Promise<{ events: number; rejects: number }> {
    const events = missing(seg.events, seg.eventKeys, stored);
    const rejects = missing(seg.rejects, seg.rejectKeys, stored);
    for (const [table, part] of [
      ['events', events],
      ['rejects', rejects],
    ] as const) {
      if (part.payload.rows === 0) continue;
      const what = `${part.payload.rows} missing ${table} (${seg.topic}/${seg.partition} ${seg.first}-${seg.last})`;
      if (tokenOf === null) {
        await this.retry(`repair of ${what}`, () => this.target.insertRepair(table, part.payload), opts.signal);
        continue;
      }
      const token = tokenOf(part.keys, table);
      await this.retry(`insert of ${what}`, () => this.target.insertRows(table, part.payload, token), opts.signal);
    }
    return { events: events.payload.rows, rejects: rejects.payload.rows };
  }

  /** Whether any row of `range` is stored (a file run again: its segments are then verified like replays). */
  async hasRows(range: StoredRange, signal?: AbortSignal): Promise<boolean> {
    return (await this.retry('stored-rows lookup', () => this.target.storedRows(range), signal)).size > 0;
  }

  /** One ledger row per segment, all in one insert, under the flush token of the ordered segment list. */
  private async insertLedger(segments: readonly Segment[], opts: WriteOptions): Promise<void> {
    const rows = segments.map((s) => this.ledgerRow(s, opts));
    await this.retry(`ledger insert of ${segments.length} rows`, () => this.target.insertLedger(rows, ledgerToken(segments)), opts.signal);
  }

  private ledgerRow(s: Segment, opts: WriteOptions): LedgerRow {
    return {
      topic: s.topic,
      partition: s.partition,
      first_offset: s.first,
      last_offset: s.last,
      records: s.records,
      events: s.events.rows,
      rejects: s.rejects.rows,
      lag: opts.lagOf?.(s) ?? 0,
      consumer: this.consumer,
    };
  }
}

const rangeOf = (s: Segment): StoredRange => ({ topic: s.topic, partition: s.partition, first: s.first, last: s.last });

/** The payloads of several segments as one (same format and columns: they come from one SegmentBuilder). */
function concat(parts: readonly RowPayload[]): RowPayload {
  if (parts.length === 1) return parts[0]!;
  if (parts.some((p) => typeof p.body !== 'string')) {
    // Rows built in the normalize thread arrive as UTF-8 Buffers: one native copy, no re-encoding.
    const bufs = parts.map((p) => (typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body));
    return { format: parts[0]!.format, columns: parts[0]!.columns, body: Buffer.concat(bufs), rows: parts.reduce((n, p) => n + p.rows, 0) };
  }
  let body = '';
  let rows = 0;
  for (const p of parts) {
    body += p.body;
    rows += p.rows;
  }
  return { format: parts[0]!.format, columns: parts[0]!.columns, body, rows };
}

/**
 * The rows of `payload` whose keys (line by line: offset and record_index) are not in `stored`.
 * Per row, not per offset: one record's rows may sit in both tables and in several blocks of an
 * insert (one per `event_time` day), of which a cut-short write stored only some.
 */
function missing(
  payload: RowPayload,
  keys: readonly string[] | undefined,
  stored: ReadonlySet<string>,
): { payload: RowPayload; keys: string[] } {
  if (payload.rows === 0) return { payload, keys: [] };
  if (!keys || keys.length !== payload.rows) throw new Error('a replayed segment without its row keys');
  const lines = payload.body.toString().split('\n');
  let body = '';
  const kept: string[] = [];
  keys.forEach((k, i) => {
    if (stored.has(k)) return;
    body += `${lines[i]!}\n`;
    kept.push(k);
  });
  return { payload: { ...payload, body, rows: kept.length }, keys: kept };
}
