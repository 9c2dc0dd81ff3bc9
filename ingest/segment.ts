// A segment: the normalized rows of one contiguous offset range of one partition, the unit
// that is inserted, deduplicated and committed (see docs/delivery.md, "Delivery"). Its insert
// deduplication tokens are a pure function of (topic, partition, first, last, content), so
// the same range read again after a crash or a rebalance produces the same tokens.
import { createHash, type Hash } from 'node:crypto';
import type { RejectReason, Source } from '../transform/event.ts';
import { eventPayload, rejectPayload } from '../sql/row-format.ts';
import type { RowPayload } from '../sql/store.ts';
import type { ChunkRows, NormalizeThread } from './normalize-thread.ts';
import { addRecord, RowText, type Limits, type Normalizer } from './record-rows.ts';

/** What a segment is, known when it is sealed: its range, provenance and digest. Plans are made of these. */
export interface SegmentRange {
  readonly topic: string;
  readonly partition: number;
  readonly source: Source;
  /** First and last offset of the range, inclusive (Kafka offsets, or line numbers). */
  readonly first: number;
  readonly last: number;
  /** Records read in the range (offsets may have gaps: compaction, transaction markers, blank lines). */
  readonly records: number;
  /** sha1 over (offset, bytes) of every record: guards against a recreated topic reusing offsets. */
  readonly digest: string;
  /** When the first record of the segment was read (ms), for the batch time bound and latency. */
  readonly openedAt: number;
  /** Cut on a range recorded in a committed intent: it may have been stored already. */
  readonly replayed: boolean;
  /**
   * For a replayed segment, the composition (intent metadata) of the flush it is replayed in
   * whole, or null when its partitions are now split between owners and it must be checked
   * against the store instead (docs/delivery.md, "Delivery").
   */
  readonly replayGroup: string | null;
  /** Bytes of the records read. */
  readonly bytes: number;
  /** The records counted by size (recordWeight): what batch and memory bounds count. */
  readonly weight: number;
}

/**
 * Bytes per unit of a record's weight. Batch and memory bounds (FAULTLINE_BATCH_SIZE, the
 * backpressure high water) count records by weight, not one each: a record's rows grow with its
 * bytes (an OTLP message of 20 log records is 20 rows of ~500 B), so a record counts once per
 * started 512 bytes and a flush of OTLP batches holds about as many rows as one of log lines.
 * A log line of a few hundred bytes weighs 1, as before (docs/delivery.md, "Bounds").
 */
const WEIGHT_BYTES = 512;
const recordWeight = (bytes: number): number => 1 + Math.floor(bytes / WEIGHT_BYTES);

/** The rows of a segment (built in this thread, or in the normalize thread). */
interface SegmentRows {
  /** The events of the range, serialised once as they were read (TabSeparated, sql/row-format.ts). */
  readonly events: RowPayload;
  readonly rejects: RowPayload;
  readonly rejectReasons: ReadonlyMap<RejectReason, number>;
  /** Records by how they were read (the events' `format`, docs/real-inputs.md §4; `reject` for rejects), for faultline_records_total. */
  readonly formats?: ReadonlyMap<string, number>;
  /**
   * Keys of the event and reject rows, line by line (`storedRowKey(offset, record_index)`, sql/ledger.ts);
   * kept for replayed segments only (to insert just the missing rows).
   */
  readonly eventKeys?: readonly string[];
  readonly rejectKeys?: readonly string[];
}

/** A segment with its rows: what the sink stores. Never changes once made. */
export interface Segment extends SegmentRange, SegmentRows {}

/** A sealed segment whose rows may still be being built (normalize thread). */
export interface SealedSegment extends SegmentRange {
  /** The complete segment; rejects if the normalize thread failed. */
  readonly complete: Promise<Segment>;
}

/** The complete segments of `segs`, in order (waits for the normalize thread). */
export function complete(segs: readonly SealedSegment[]): Promise<Segment[]> {
  return Promise.all(segs.map((s) => s.complete));
}

/**
 * A sealed segment: the range's fields written out, not spread. A spread of the range into a
 * literal gave objects of no shared shape, and sealing took ~10% of the delivery model's CPU
 * (node --cpu-prof); written out, every segment has one shape.
 */
function sealedOf(r: SegmentRange, complete: Promise<Segment>): SealedSegment {
  return {
    topic: r.topic,
    partition: r.partition,
    source: r.source,
    first: r.first,
    last: r.last,
    records: r.records,
    digest: r.digest,
    openedAt: r.openedAt,
    replayed: r.replayed,
    replayGroup: r.replayGroup,
    bytes: r.bytes,
    weight: r.weight,
    complete,
  };
}

/** A segment with its rows, written out likewise. */
function withRows(r: SegmentRange, rows: SegmentRows): Segment {
  return {
    topic: r.topic,
    partition: r.partition,
    source: r.source,
    first: r.first,
    last: r.last,
    records: r.records,
    digest: r.digest,
    openedAt: r.openedAt,
    replayed: r.replayed,
    replayGroup: r.replayGroup,
    bytes: r.bytes,
    weight: r.weight,
    events: rows.events,
    rejects: rows.rejects,
    rejectReasons: rows.rejectReasons,
    ...(rows.formats ? { formats: rows.formats } : {}),
    ...(rows.eventKeys ? { eventKeys: rows.eventKeys } : {}),
    ...(rows.rejectKeys ? { rejectKeys: rows.rejectKeys } : {}),
  };
}

/** Scratch space for the 8-byte big-endian offset fed to the digest. */
const OFFSET_BYTES = Buffer.alloc(8);

export class SegmentBuilder {
  first = -1;
  last = -1;
  records = 0;
  bytes = 0;
  weight = 0;
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
    /** Normalize in this thread instead (kafka-source.ts); rows then arrive after seal() (`SealedSegment.complete`). */
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
    this.weight += recordWeight(bytes.length);
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
    addRecord(this.rows, this.normalize, this.limits, this.source, this.topic, this.partition, offset, bytes, transportMs);
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
      source: this.source,
      topic: this.topic,
      partition: this.partition,
      limits: this.limits,
      offsets: this.pendOffsets,
      ts: this.pendTs,
      lens,
      data: data.buffer,
      wantKeys: this.replayed,
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
  private range(): SegmentRange {
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
      weight: this.weight,
    };
  }

  seal(): SealedSegment {
    if (this.records === 0) throw new Error('cannot seal an empty segment');
    const range = this.range();
    if (this.thread) return sealedOf(range, this.threadedRows(range));
    const r = this.rows;
    const seg: Segment = withRows(range, {
      events: eventPayload(r.events, r.eventCount),
      rejects: rejectPayload(r.rejects, r.rejectCount),
      rejectReasons: r.reasons,
      formats: r.formats,
      ...(r.eventKeys ? { eventKeys: r.eventKeys, rejectKeys: r.rejectKeys ?? [] } : {}),
    });
    return sealedOf(range, Promise.resolve(seg));
  }

  /** The segment once the normalize thread has built its rows: its chunks come back in order. */
  private threadedRows(range: SegmentRange): Promise<Segment> {
    this.dispatch();
    const done = Promise.all(this.chunks).then((parts: ChunkRows[]): Segment => {
      const one = (bufs: Buffer[]) => (bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs));
      const reasons = new Map<RejectReason, number>();
      for (const p of parts) for (const [r, n] of p.reasons) reasons.set(r, (reasons.get(r) ?? 0) + n);
      const formats = new Map<string, number>();
      for (const p of parts) for (const [f, n] of p.formats) formats.set(f, (formats.get(f) ?? 0) + n);
      return withRows(range, {
        events: eventPayload(
          one(parts.map((p) => p.events)),
          parts.reduce((n, p) => n + p.eventCount, 0),
        ),
        rejects: rejectPayload(
          one(parts.map((p) => p.rejects)),
          parts.reduce((n, p) => n + p.rejectCount, 0),
        ),
        rejectReasons: reasons,
        formats,
        ...(range.replayed
          ? { eventKeys: parts.flatMap((p) => p.eventKeys ?? []), rejectKeys: parts.flatMap((p) => p.rejectKeys ?? []) }
          : {}),
      });
    });
    done.catch(() => {}); // surfaced by whoever awaits it (the flush)
    return done;
  }
}
