// A segment: the normalized rows of one contiguous offset range of one partition, the unit
// that is inserted, deduplicated and committed (see README.md, "Delivery"). Its insert
// deduplication tokens are a pure function of (topic, partition, first, last, content), so
// the same range read again after a crash or a rebalance produces the same tokens.
import { createHash, type Hash } from 'node:crypto';
import type { NormalizeContext, NormalizeResult, RejectReason, Source } from '../transform/event.ts';
import { EVENT_COLUMNS, REJECT_COLUMNS } from '../sql/rows.ts';
import { eventTsvLine, rejectTsvLine } from '../sql/row-format.ts';
import type { RowPayload } from '../sql/store.ts';
import type { ChunkRows, NormalizeThread } from './normalize-thread.ts';

/** The normalizer's signature (transform/index.ts `normalize`). */
export type Normalizer = (record: Uint8Array, ctx: NormalizeContext) => NormalizeResult;

export interface Limits {
  maxRecordBytes: number;
  maxDepth: number;
  rawMaxBytes: number;
}

export interface Segment {
  readonly topic: string;
  readonly partition: number;
  readonly source: Source;
  /** First and last offset of the range, inclusive (Kafka offsets, or line numbers). */
  readonly first: number;
  readonly last: number;
  /** Records read in the range (offsets may have gaps: compaction, transaction markers, blank lines). */
  readonly records: number;
  /** The events of the range, serialised once as they were read (TabSeparated, sql/row-format.ts). */
  readonly events: RowPayload;
  readonly rejects: RowPayload;
  readonly rejectReasons: ReadonlyMap<RejectReason, number>;
  /** sha1 over (offset, bytes) of every record: guards against a recreated topic reusing offsets. */
  readonly digest: string;
  /** When the first record of the segment was read (ms), for the batch time bound and latency. */
  readonly openedAt: number;
  /** Cut on a range recorded in a committed intent: it may have been stored already. */
  readonly replayed: boolean;
  /**
   * For a replayed segment, the composition (intent metadata) of the flush it is replayed in
   * whole, or null when its partitions are now split between owners and it must be checked
   * against the store instead (README.md, "Delivery").
   */
  readonly replayGroup: string | null;
  /** Bytes of the records read. */
  readonly bytes: number;
  /** Offsets of the event and reject rows, line by line; kept for replayed segments only (to insert just the missing rows). */
  readonly eventOffsets?: readonly number[];
  readonly rejectOffsets?: readonly number[];
  /**
   * Rows built in the normalize thread: `events`, `rejects`, `rejectReasons` and the row
   * offsets are complete only once this settles (it rejects if the thread failed).
   */
  readonly settled?: Promise<void>;
}

/** Wait until the rows of every segment are built (normalize thread). */
export async function settled(segs: readonly Segment[]): Promise<void> {
  for (const s of segs) if (s.settled) await s.settled;
}

/** One record as its TabSeparated event row, or its reject row and reason (shared by the in-thread path and the normalize thread). */
export function normalizeRow(
  normalize: Normalizer, limits: Limits, source: Source, topic: string, partition: number, offset: number, bytes: Uint8Array, transportMs: number,
): { event: string } | { event: undefined; reject: string; reason: RejectReason } {
  let res: NormalizeResult;
  try {
    res = normalize(bytes, {
      source,
      transportTimeMs: transportMs,
      maxRecordBytes: limits.maxRecordBytes,
      maxDepth: limits.maxDepth,
      rawMaxBytes: limits.rawMaxBytes,
    });
  } catch (err) {
    // A throwing normalizer is a bug, but it must not stop the stream either: the record becomes a reject that says so.
    res = { ok: false, reject: { reason: 'unrecognised_text', detail: `normalizer failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200), head: '' } };
  }
  if (res.ok) return { event: eventTsvLine(res.event, topic, partition, offset) };
  return {
    event: undefined,
    reason: res.reject.reason,
    reject: rejectTsvLine({
      transport_time: iso(transportMs), source, topic, partition, offset,
      reason: res.reject.reason, detail: res.reject.detail, head: res.reject.head,
    }),
  };
}

/** Tokens contain only [A-Za-z0-9._:-]: topic names may not, file names certainly may not. */
function tokenSafe(s: string): string {
  return /^[A-Za-z0-9._-]{1,100}$/.test(s) ? s : createHash('sha1').update(s).digest('hex').slice(0, 16);
}

/** The insert-deduplication token of a segment's rows in `table` (events, rejects). */
export function dedupToken(seg: Pick<Segment, 'topic' | 'partition' | 'first' | 'last' | 'digest'>, table: string): string {
  return `fl1:${tokenSafe(seg.topic)}:${seg.partition}:${seg.first}-${seg.last}:${seg.digest.slice(0, 16)}:${table}`;
}

/** The rows of a run of records as text, counted (the in-thread path and the normalize thread). */
export class RowText {
  events = '';
  eventCount = 0;
  rejects = '';
  rejectCount = 0;
  readonly reasons = new Map<RejectReason, number>();
  /** Offsets of the event and reject rows, line by line, when kept (replayed segments). */
  readonly eventOffsets: number[] | undefined;
  readonly rejectOffsets: number[] | undefined;

  constructor(keepOffsets: boolean) {
    this.eventOffsets = keepOffsets ? [] : undefined;
    this.rejectOffsets = keepOffsets ? [] : undefined;
  }

  add(row: ReturnType<typeof normalizeRow>, offset: number): void {
    if (row.event !== undefined) {
      this.events += row.event;
      this.eventCount++;
      this.eventOffsets?.push(offset);
    } else {
      this.reasons.set(row.reason, (this.reasons.get(row.reason) ?? 0) + 1);
      this.rejects += row.reject;
      this.rejectCount++;
      this.rejectOffsets?.push(offset);
    }
  }
}

type TokenPart = Pick<Segment, 'topic' | 'partition' | 'first' | 'last' | 'digest'>;

/**
 * The token of one insert holding several segments, in this order: a pure function of the
 * ordered (topic, partition, first, last, digest) list, so replaying the same composition gives
 * the same token. A single segment keeps its own per-segment token (the file source, and
 * flushes that hold one segment, dedup exactly as before).
 */
export function flushToken(segs: readonly TokenPart[], table: string): string {
  if (segs.length === 1) return dedupToken(segs[0]!, table);
  const h = createHash('sha1');
  for (const s of segs) h.update(`${s.topic}\0${s.partition}\0${s.first}\0${s.last}\0${s.digest}\n`);
  return `fl2:${h.digest('hex')}:${table}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Scratch space for the 8-byte big-endian offset fed to the digest. */
const OFFSET_BYTES = Buffer.alloc(8);

export class SegmentBuilder {
  first = -1;
  last = -1;
  records = 0;
  bytes = 0;
  /** Rows are kept as text, not objects: one serialisation per record, and little for the GC to trace. */
  private rows = new RowText(false);
  private readonly hash: Hash = createHash('sha1');
  readonly openedAt = Date.now();
  /** Set by the partition buffer (before the first add) when this segment reproduces an intent range. */
  replayed = false;
  replayGroup: string | null = null;
  /** Records added but not yet sent to the normalize thread. */
  private pendOffsets: number[] = [];
  private pendTs: number[] = [];
  private pendValues: (Uint8Array | null)[] = [];
  private pendBytes = 0;
  private readonly chunks: Promise<ChunkRows>[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: Source,
    private readonly normalize: Normalizer,
    private readonly limits: Limits,
    /** Normalize in this thread instead (kafka-source.ts); rows then arrive after seal() (`Segment.settled`). */
    private readonly thread?: NormalizeThread,
  ) {}

  /** Normalize one record into an event or a reject row (in the normalize thread when there is one: see dispatch()). */
  add(offset: number, value: Uint8Array | null, transportMs: number): void {
    if (this.records === 0) {
      this.first = offset;
      if (this.replayed) this.rows = new RowText(true);
    }
    this.last = offset;
    this.records++;
    const bytes = value ?? new Uint8Array(0);
    this.bytes += bytes.length;
    OFFSET_BYTES.writeUInt32BE(Math.floor(offset / 2 ** 32), 0);
    OFFSET_BYTES.writeUInt32BE(offset % 2 ** 32, 4);
    this.hash.update(OFFSET_BYTES).update(bytes); // update() copies: the scratch buffer can be reused
    if (this.thread) {
      this.pendOffsets.push(offset);
      this.pendTs.push(transportMs);
      this.pendValues.push(value);
      this.pendBytes += bytes.length;
      return;
    }
    this.rows.add(normalizeRow(this.normalize, this.limits, this.source, this.topic, this.partition, offset, bytes, transportMs), offset);
  }

  /**
   * Send the records added since the last dispatch to the normalize thread (the partition
   * buffer calls it at the end of each fetched batch: chunks of a batch, not single records,
   * keep the messaging cost per record small). The records' bytes are copied into one buffer,
   * so the fetch's response buffer is not kept alive by the segment.
   */
  dispatch(): void {
    if (!this.thread || this.pendOffsets.length === 0) return;
    const lens = new Int32Array(this.pendValues.length);
    const data = new Uint8Array(this.pendBytes);
    let at = 0;
    this.pendValues.forEach((v, i) => {
      if (v === null) {
        lens[i] = -1;
        return;
      }
      lens[i] = v.length;
      data.set(v, at);
      at += v.length;
    });
    const chunk = this.thread.run({
      source: this.source, topic: this.topic, partition: this.partition, limits: this.limits,
      offsets: this.pendOffsets, ts: this.pendTs, lens, data: data.buffer, wantOffsets: this.replayed,
    });
    // A segment never sealed (its buffer dropped by a new generation, or left held at stop)
    // has nobody waiting for its chunks: their failure must not be an unhandled rejection.
    chunk.catch(() => {});
    this.chunks.push(chunk);
    this.pendOffsets = [];
    this.pendTs = [];
    this.pendValues = [];
    this.pendBytes = 0;
  }

  /** What both seal paths share: the range, its provenance and the digest (taken once, at seal). */
  private range() {
    return {
      topic: this.topic,
      partition: this.partition,
      source: this.source,
      first: this.first,
      last: this.last,
      records: this.records,
      digest: this.hash.digest('hex'),
      openedAt: this.openedAt,
      replayed: this.replayed,
      replayGroup: this.replayGroup,
      bytes: this.bytes,
    };
  }

  seal(): Segment {
    if (this.records === 0) throw new Error('cannot seal an empty segment');
    if (this.thread) return this.sealThreaded();
    return {
      ...this.range(),
      events: { format: 'TabSeparated', columns: EVENT_COLUMNS, body: this.rows.events, rows: this.rows.eventCount },
      rejects: { format: 'TabSeparated', columns: REJECT_COLUMNS, body: this.rows.rejects, rows: this.rows.rejectCount },
      rejectReasons: this.rows.reasons,
      ...(this.rows.eventOffsets ? { eventOffsets: this.rows.eventOffsets, rejectOffsets: this.rows.rejectOffsets ?? [] } : {}),
    };
  }

  /** The segment whose rows the normalize thread is still building: filled in when its chunks come back, in order. */
  private sealThreaded(): Segment {
    this.dispatch();
    const chunks = this.chunks;
    const seg = {
      ...this.range(),
      events: { format: 'TabSeparated', columns: EVENT_COLUMNS, body: '', rows: 0 } as RowPayload,
      rejects: { format: 'TabSeparated', columns: REJECT_COLUMNS, body: '', rows: 0 } as RowPayload,
      rejectReasons: new Map<RejectReason, number>(),
      ...(this.replayed ? { eventOffsets: [] as number[], rejectOffsets: [] as number[] } : {}),
      settled: undefined as Promise<void> | undefined,
    };
    seg.settled = Promise.all(chunks).then((parts: ChunkRows[]) => {
      const one = (bufs: Buffer[]) => (bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs));
      seg.events = { ...seg.events, body: one(parts.map((p) => p.events)), rows: parts.reduce((n, p) => n + p.eventCount, 0) };
      seg.rejects = { ...seg.rejects, body: one(parts.map((p) => p.rejects)), rows: parts.reduce((n, p) => n + p.rejectCount, 0) };
      for (const p of parts) {
        for (const [r, n] of p.reasons) seg.rejectReasons.set(r, (seg.rejectReasons.get(r) ?? 0) + n);
        if (seg.eventOffsets) seg.eventOffsets.push(...(p.eventOffsets ?? []));
        if (seg.rejectOffsets) seg.rejectOffsets.push(...(p.rejectOffsets ?? []));
      }
    });
    seg.settled.catch(() => {}); // surfaced by whoever awaits it (the flush)
    return seg;
  }
}
