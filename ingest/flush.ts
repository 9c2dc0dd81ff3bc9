// One flush of the Kafka source: ONE insert per table for everything buffered (README.md,
// "Delivery"). Units of work, each partition in exactly one of them:
// - new segments, cut into compositions that fit the offset metadata (normally one): intent =
//   the composition, written to every partition in it; then one insert per table under the
//   composition's token;
// - a whole replay: the segments of a previous owner's composition, re-cut exactly, inserted
//   again in the same order under the same token (their intent is still committed);
// - a checked replay (ownership split): per segment, only the rows missing from the store.
// Then every partition's offset moves past what was stored, with no intent left.
import { byPartition, encodeComposition, encodeIntent, decodeComposition, partitionKey, splitCompositions } from './intent.ts';
import type { Logger } from './log.ts';
import type { PartitionBuffer } from './partition-buffer.ts';
import type { CommitEntry } from './group-commit.ts';
import { settled, type Segment } from './segment.ts';
import type { Sink } from './sink.ts';

export interface FlushContext {
  parts: ReadonlyMap<string, PartitionBuffer>;
  sink: Sink;
  signal: AbortSignal;
  log: Logger;
  /** Commit in the flush's generation; false when it ended. */
  commit(entries: CommitEntry[], what: string): Promise<boolean>;
  /** After a refused commit: wait for the rejoin that resets every buffer. */
  awaitGeneration(): Promise<void>;
  lagOf(seg: Segment): number;
  /** The segments of `buf` are stored and committed up to `committed`. */
  stored(buf: PartitionBuffer, segs: readonly Segment[], committed: number): void;
  inFlight(records: number): void;
  /**
   * Take new segments from partitions only until this many records are taken (whole
   * partitions, starting at `rotate` so that every partition gets its turn): flushes of about
   * the batch size keep normalizing the next batch while this one is inserted.
   */
  maxRecords: number;
  rotate: number;
  /**
   * Whole replays still incomplete this long after the generation started (a partition of the
   * flush brings nothing back: retention emptied it) go the checked way instead.
   */
  staleGroups: boolean;
}

/** Decoded compositions by their metadata text, for the replay groups of one generation. */
const membersCache = new Map<string, string[]>();
function members(group: string): string[] {
  let keys = membersCache.get(group);
  if (!keys) {
    keys = [...new Set((decodeComposition(group) ?? []).map((r) => partitionKey(r.topic, r.partition)))];
    if (membersCache.size > 1000) membersCache.clear();
    membersCache.set(group, keys);
  }
  return keys;
}

/** Whether `buf` has something a flush would take now (a whole replay waits for all its partitions). */
export function flushable(buf: PartitionBuffer, parts: ReadonlyMap<string, PartitionBuffer>, staleGroups: boolean): boolean {
  if (!buf.hasTakeable) return false;
  const group = buf.held ? buf.replayGroup : null;
  return group === null || staleGroups || members(group).every((k) => parts.get(k)?.hasTakeable === true);
}

export async function flush(ctx: FlushContext): Promise<void> {
  const fresh: Segment[] = [];
  const checked: { buf: PartitionBuffer; segs: Segment[] }[] = [];
  const groups = new Map<string, PartitionBuffer[]>();
  const released: PartitionBuffer[] = [];
  const bufs = [...ctx.parts.values()];
  const from = bufs.length > 0 ? ctx.rotate % bufs.length : 0;
  let taken = 0;
  for (const buf of [...bufs.slice(from), ...bufs.slice(0, from)]) {
    if (!flushable(buf, ctx.parts, ctx.staleGroups)) continue;
    if (!buf.held) {
      if (taken >= ctx.maxRecords) continue;
      for (const s of buf.take()) {
        fresh.push(s);
        taken += s.records;
      }
    } else if (buf.replayGroup === null || ctx.staleGroups) {
      const segs = buf.take();
      if (segs.length > 0) checked.push({ buf, segs });
      else released.push(buf);
    } else if (!groups.has(buf.replayGroup)) {
      groups.set(buf.replayGroup, members(buf.replayGroup).map((k) => ctx.parts.get(k)!));
    }
  }
  for (const b of released) b.release();
  const replays = [...groups].map(([group, bufs]) => {
    // Flush order of the composition: partitions in their order of appearance, each partition's segments ascending.
    const order = members(group);
    const segs = bufs.flatMap((b) => b.take());
    segs.sort((a, b) => order.indexOf(partitionKey(a.topic, a.partition)) - order.indexOf(partitionKey(b.topic, b.partition)) || a.first - b.first);
    return { group, bufs, segs };
  });
  const compositions = splitCompositions(fresh);
  const all = [...fresh, ...checked.flatMap((c) => c.segs), ...replays.flatMap((r) => r.segs)];
  const records = all.reduce((n, s) => n + s.records, 0);
  if (all.length === 0) {
    for (const r of replays) for (const b of r.bufs) b.release();
    return;
  }
  ctx.inFlight(records);
  try {
    await settled(all); // rows still being built in the normalize thread

    // (1) Intent: positions stay; the metadata names what is about to be inserted. Whole
    // replays keep the intent their previous owner wrote (it names exactly them).
    const intent: CommitEntry[] = [];
    for (const comp of compositions) {
      const metadata = encodeComposition(comp);
      if (metadata === undefined) throw new Error(`a flush composition of ${comp.length} segments does not fit the offset metadata limit`);
      for (const [k, segs] of byPartition(comp)) intent.push(entry(ctx.parts.get(k)!, segs[0]!.first, metadata));
    }
    for (const { buf, segs } of checked) intent.push(entry(buf, segs[0]!.first, encodeIntent(segs.map((s) => ({ first: s.first, last: s.last })))));
    if (!(await ctx.commit(intent, 'intent'))) {
      // Not inserted, not committed: the rejoin that ended this generation re-reads them.
      await ctx.awaitGeneration();
      return;
    }
    // (2) Rows: one insert per table per composition; retried until acknowledged.
    const opts = { signal: ctx.signal, lagOf: ctx.lagOf };
    for (const r of replays) {
      ctx.log.info(`replaying a flush of ${r.segs.length} segments whole (${r.bufs.map((b) => `${b.topic}/${b.partition}`).join(' ')})`);
      await ctx.sink.write(r.segs, opts);
    }
    for (const { segs } of checked) {
      for (const s of segs) {
        const n = await ctx.sink.writeMissing(s, opts);
        ctx.log.info(`${s.topic}/${s.partition} ${s.first}-${s.last}: checked against the store, ${n.events} events and ${n.rejects} rejects were missing`);
      }
    }
    for (const comp of compositions) await ctx.sink.write(comp, opts);
    // (3) Done: offsets after the stored ranges, no intent left.
    const done = [...byPartition(all)].map(([k, segs]) => {
      const buf = ctx.parts.get(k)!;
      return { topic: buf.topic, partition: buf.partition, offset: String(segs[segs.length - 1]!.last + 1), metadata: '' };
    });
    if (!(await ctx.commit(done, 'offsets'))) {
      await ctx.awaitGeneration();
      return;
    }
    for (const [k, segs] of byPartition(all)) {
      const buf = ctx.parts.get(k)!;
      buf.release();
      ctx.stored(buf, segs, segs[segs.length - 1]!.last + 1);
    }
    for (const r of replays) for (const b of r.bufs) b.release(); // members whose range brought no record back
  } finally {
    ctx.inFlight(-records);
  }
}

function entry(buf: PartitionBuffer, fallbackOffset: number, metadata: string): CommitEntry {
  return { topic: buf.topic, partition: buf.partition, offset: String(buf.committed ?? fallbackOffset), metadata };
}
