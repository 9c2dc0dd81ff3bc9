// One flush of the Kafka source: ONE insert per table for everything buffered (docs/delivery.md,
// "Delivery"). flush-plan.ts decides; this file executes, in the protocol's order:
// take the planned segments, wait for their rows, (1) commit the intent, (2) insert — whole
// replays, checked replays, new compositions —, (3) commit the offsets past them, then mark
// the partitions stored. Every await below is a point where the process may die; the model
// test (test/ingest/model/) dies at each of them and checks what the next owner makes of it.
import { composeFlush, flushable, groupOrder, planFlush, type PlanOptions } from './flush-plan.ts';
import type { CommitEntry } from './group-commit.ts';
import { byPartition } from './intent.ts';
import type { Logger } from './log.ts';
import type { PartitionBuffer } from './partition-buffer.ts';
import { complete, type SealedSegment, type Segment } from './segment.ts';
import type { Sink } from './sink.ts';

export { flushable };

/** What a flush needs from the ingest around it (kafka-source.ts; the model test fakes each of them). */
export interface FlushContext extends PlanOptions {
  parts: ReadonlyMap<string, PartitionBuffer>;
  sink: Sink;
  signal: AbortSignal;
  log: Logger;
  /** Commit in the flush's generation; false when it ended. */
  commit(entries: CommitEntry[], what: string): Promise<boolean>;
  /** After a refused commit: wait for the rejoin that resets every buffer. */
  awaitGeneration(): Promise<void>;
  lagOf(seg: Segment): number;
  /** The segments of `buf` are stored and committed up to `buf.committed`. */
  stored(buf: PartitionBuffer, segs: readonly Segment[]): void;
  inFlight(records: number): void;
}

export async function flush(ctx: FlushContext): Promise<void> {
  const plan = planFlush(ctx.parts, ctx);
  const buf = (k: string) => ctx.parts.get(k)!;
  const fresh = plan.fresh.flatMap((k) => buf(k).take());
  const checked: SealedSegment[][] = [];
  for (const k of plan.checked) {
    const segs = buf(k).take();
    if (segs.length > 0) checked.push(segs);
    else buf(k).release(); // its replay ranges brought no record back
  }
  const groups = plan.groups.map((g) =>
    groupOrder(
      g.group,
      g.members.flatMap((k) => buf(k).take()),
    ),
  );
  // Counted by weight, as the buffers are (backpressure sees the flush's records move from buffered to in flight).
  const records = [fresh, ...checked, ...groups].flat().reduce((n, s) => n + s.weight, 0);
  const releaseGroups = () => {
    for (const g of plan.groups) for (const k of g.members) buf(k).release();
  };
  if (records === 0) {
    releaseGroups();
    return;
  }
  ctx.inFlight(records);
  try {
    // Rows still being built in the normalize thread.
    const [f, c, g] = await Promise.all([complete(fresh), Promise.all(checked.map(complete)), Promise.all(groups.map(complete))]);
    const steps = composeFlush({ fresh: f, checked: c, groups: g }, (k) => buf(k).committed);
    // (1) Intent: positions stay; the metadata names what is about to be inserted. Several
    // requests when one would exceed the broker's cap (intent.ts, MAX_COMMIT_METADATA): a
    // failure after some of them leaves those partitions naming a composition nothing of
    // which is stored yet, which is where a crash after a single intent commit leaves them.
    for (const request of steps.intent) {
      if (!(await ctx.commit(request, 'intent'))) {
        // Not inserted, not committed: the rejoin that ended this generation re-reads them.
        await ctx.awaitGeneration();
        return;
      }
    }
    // (2) Rows: one insert per table per unit; retried until acknowledged.
    const opts = { signal: ctx.signal, lagOf: ctx.lagOf };
    for (const segs of g) {
      const parts = [...byPartition(segs).keys()].join(' ');
      ctx.log.info(`replaying a flush of ${segs.length} segments whole (${parts})`);
      await ctx.sink.write(segs, opts);
      // Same tokens as the first owner's: a torn insert of that flush would be dropped again.
      await ctx.sink.repair(segs, opts);
    }
    for (const segs of c) {
      for (const s of segs) {
        const n = await ctx.sink.writeMissing(s, opts);
        ctx.log.info(
          `${s.topic}/${s.partition} ${s.first}-${s.last}: checked against the store, ${n.events} events and ${n.rejects} rejects were ` +
            `missing`,
        );
      }
    }
    for (const comp of steps.compositions) await ctx.sink.write(comp, opts);
    // (3) Done: offsets after the stored ranges, no intent left.
    if (!(await ctx.commit(steps.done, 'offsets'))) {
      await ctx.awaitGeneration();
      return;
    }
    for (const [k, segs] of byPartition(steps.all)) {
      const b = buf(k);
      b.committedTo(segs[segs.length - 1]!.last + 1);
      b.release();
      ctx.stored(b, segs);
    }
    releaseGroups(); // members whose range brought no record back
  } finally {
    ctx.inFlight(-records);
  }
}
