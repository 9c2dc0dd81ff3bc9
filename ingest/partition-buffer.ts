// Buffering of one partition between fetch and insert: normalizes records as they arrive
// into segments, skips records already buffered (a re-fetch after a seek), and cuts segments
// so that redelivered ranges reproduce their tokens:
// - while replay ranges (from the committed intent) are pending, a segment ends exactly at
//   each range's last offset and is never cut earlier, whatever the time or size bounds;
// - otherwise a segment ends at the size bound or when the sink takes it (time bound). Such
//   cuts need not be reproducible: they are recorded in the intent before their insert.
// A partition with replay ranges is *held*: take() hands out nothing until every replay range
// is sealed, then exactly the replay segments, and nothing more until release() (after their
// offsets are committed), so a partition's metadata never names two flushes at once.
import type { Source } from '../transform/event.ts';
import type { OffsetRange } from './intent.ts';
import type { NormalizeThread } from './normalize-thread.ts';
import type { Limits, Normalizer } from './record-rows.ts';
import { SegmentBuilder, type SealedSegment } from './segment.ts';

export interface RawMessage {
  offset: string;
  value: Buffer | null;
  /** Epoch ms as a string (kafkajs), the transport time. */
  timestamp: string;
}

export interface PartitionStart {
  /** Committed position (next offset to read), null when the group has none. */
  committed: number | null;
  /** Ranges that were about to be inserted when the previous owner stopped. */
  replay: OffsetRange[];
  /**
   * The composition (intent metadata) these ranges are replayed in whole, or null when they are
   * checked against the store one by one (ownership split, or a per-partition intent).
   */
  group?: string | null;
}

export class PartitionBuffer {
  private open: SegmentBuilder | null = null;
  private ready: SealedSegment[] = [];
  private readonly replay: OffsetRange[];
  private readonly group: string | null;
  /** Replay ranges pending or their segments not yet committed: nothing else is handed out. */
  private holding: boolean;
  private replayTaken = false;
  /** Next offset expected; records below it are already buffered or stored. */
  private nextOffset: number;
  /** Committed position: everything below it is stored (moves only through `committedTo`). */
  private committedAt: number | null;
  /** Last high watermark seen by a fetch (-1: unknown), for the lag. */
  highWatermark = -1;
  private readyRecords = 0;
  private readyWeight = 0;
  private readyBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: Source,
    private readonly normalize: Normalizer,
    private readonly limits: Limits,
    private readonly maxSegmentRecords: number,
    start: PartitionStart,
    /** Normalize there (rows then complete when `SealedSegment.complete` resolves). */
    private readonly thread?: NormalizeThread,
  ) {
    this.committedAt = start.committed;
    this.nextOffset = start.committed ?? 0;
    this.replay = [...start.replay];
    this.group = start.group ?? null;
    this.holding = this.replay.length > 0;
  }

  /** Committed position: everything below it is stored; null when the group has none. */
  get committed(): number | null {
    return this.committedAt;
  }

  /** The offsets up to `offset` are stored and committed. A committed offset never moves backwards. */
  committedTo(offset: number): void {
    if (this.committedAt !== null && offset < this.committedAt) {
      throw new Error(`invariant: ${this.topic}/${this.partition} committed offset would move back from ${this.committedAt} to ${offset}`);
    }
    this.committedAt = offset;
  }

  /** Held for a replay (its buffered records cannot be flushed yet: they do not count towards backpressure). */
  get held(): boolean {
    return this.holding;
  }

  /** The replay segments are stored and committed: hand out the rest normally from now on. */
  release(): void {
    this.holding = false;
  }

  /** Ranges still to be reproduced exactly. */
  get pendingReplay(): readonly OffsetRange[] {
    return this.replay;
  }

  /** The composition this partition's replay belongs to (null: checked against the store). */
  get replayGroup(): string | null {
    return this.group;
  }

  /** Append fetched messages (in offset order); returns how many were new. */
  append(messages: readonly RawMessage[]): number {
    let added = 0;
    for (const m of messages) {
      const offset = Number(m.offset);
      if (offset < this.nextOffset) continue;
      // A replay range whose end was never redelivered (retention removed it, or a gap):
      // close it with what arrived; its content differs anyway, so does its token.
      while (this.replay[0] && offset > this.replay[0].last) {
        this.replay.shift();
        this.sealOpen();
      }
      if (!this.open) {
        this.open = new SegmentBuilder(this.topic, this.partition, this.source, this.normalize, this.limits, this.thread);
        if (this.replay.length > 0) {
          this.open.replayed = true;
          this.open.replayGroup = this.group;
        }
      }
      const ts = Number(m.timestamp);
      this.open.add(offset, m.value, Number.isFinite(ts) && ts > 0 ? ts : Date.now());
      this.nextOffset = offset + 1;
      added++;
      const r = this.replay[0];
      if (r ? offset >= r.last : this.open.weight >= this.maxSegmentRecords) {
        if (r) this.replay.shift();
        this.sealOpen();
      }
    }
    this.open?.dispatch();
    return added;
  }

  private sealOpen(): void {
    if (!this.open || this.open.records === 0) {
      this.open = null;
      return;
    }
    const seg = this.open.seal();
    this.readyRecords += seg.records;
    this.readyWeight += seg.weight;
    this.readyBytes += seg.bytes;
    this.ready.push(seg);
    this.open = null;
  }

  /**
   * Hand the buffered segments to the sink: every sealed one, plus the open one unless it is
   * an unfinished replay range (which must wait for its last offset to be reproducible).
   */
  take(): SealedSegment[] {
    if (this.holding) {
      if (this.replay.length > 0 || this.replayTaken) return [];
      this.replayTaken = true;
      const n = this.ready.findIndex((s) => !s.replayed);
      const out = n < 0 ? this.ready : this.ready.slice(0, n);
      this.ready = n < 0 ? [] : this.ready.slice(n);
      for (const s of out) {
        this.readyRecords -= s.records;
        this.readyWeight -= s.weight;
        this.readyBytes -= s.bytes;
      }
      return out;
    }
    if (this.replay.length === 0) this.sealOpen();
    const out = this.ready;
    this.ready = [];
    this.readyRecords = 0;
    this.readyWeight = 0;
    this.readyBytes = 0;
    return out;
  }

  /** Records buffered (sealed and open). */
  get records(): number {
    return this.readyRecords + (this.open?.records ?? 0);
  }

  /** Records buffered counted by size (segment.ts recordWeight): what the batch and memory bounds count. */
  get weight(): number {
    return this.readyWeight + (this.open?.weight ?? 0);
  }

  get bytes(): number {
    return this.readyBytes + (this.open?.bytes ?? 0);
  }

  /** Whether take() would return something now. */
  get hasTakeable(): boolean {
    if (this.holding) return this.replay.length === 0 && !this.replayTaken;
    return this.ready.length > 0 || (this.replay.length === 0 && (this.open?.records ?? 0) > 0);
  }

  /** When the oldest buffered record was read (ms), or undefined when empty. */
  get oldestAt(): number | undefined {
    return this.ready[0]?.openedAt ?? this.open?.openedAt;
  }

  /** High watermark minus the committed position (or the read one), 0 while unknown. */
  get lag(): number {
    return this.highWatermark < 0 ? 0 : Math.max(0, this.highWatermark - (this.committed ?? this.nextOffset));
  }

  /** Metric labels of the partition. */
  get labels(): { topic: string; partition: string } {
    return { topic: this.topic, partition: String(this.partition) };
  }

  /** Offset the next fetch would start at. */
  get position(): number {
    return this.nextOffset;
  }
}
