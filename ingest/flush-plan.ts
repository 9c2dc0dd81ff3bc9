// The decisions of one flush, as pure functions of the partitions' state (docs/delivery.md,
// "Delivery"); flush.ts executes them. Two steps:
// - planFlush: which partitions a flush takes, and how: new segments (fresh), a previous
//   owner's composition replayed whole (groups), or ranges checked against the store (checked);
// - composeFlush: from the segments taken, the units of work and the two commits: the
//   compositions that fit the offset metadata, the intent entries (positions unchanged, the
//   composition or the checked ranges as metadata) and the done entries (offsets past what was
//   stored, no metadata). It checks, cheaply, what the delivery argument rests on: a partition's
//   metadata names one flush, and a committed offset never moves backwards.
import type { CommitEntry } from './group-commit.ts';
import {
  byPartition,
  decodeComposition,
  encodeComposition,
  encodeIntent,
  MAX_COMMIT_METADATA,
  partitionKey,
  splitCompositions,
  type SegmentRef,
} from './intent.ts';

/** What planning needs of a partition buffer (partition-buffer.ts). */
export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  /** Held for a replay: its replay segments go first, alone. */
  readonly held: boolean;
  /** The composition it is replayed in whole, or null (checked, or nothing to replay). */
  readonly replayGroup: string | null;
  /** Whether take() would return something now. */
  readonly hasTakeable: boolean;
  /** Records buffered (what take() returns from a partition that is not held). */
  readonly records: number;
  /** Records counted by size (segment.ts recordWeight): what `maxRecords` bounds. */
  readonly weight: number;
  readonly committed: number | null;
}

export interface PlanOptions {
  /** Take new segments only until this many records are taken (whole partitions). */
  maxRecords: number;
  /** Start at this partition (modulo their number), so every partition gets its turn. */
  rotate: number;
  /** Whole replays still incomplete long after the generation started go the checked way. */
  staleGroups: boolean;
}

export interface FlushPlan {
  /** Partitions whose new segments are taken. */
  fresh: string[];
  /** Held partitions whose replay ranges are checked against the store (or released when they brought nothing). */
  checked: string[];
  /** Previous owners' compositions replayed whole: the composition and its partitions, in its order. */
  groups: { group: string; members: string[] }[];
}

/** Decoded compositions by their metadata text, for the replay groups of one generation. */
const membersCache = new Map<string, string[]>();

/** The partitions of a composition (intent metadata), in order of first appearance. */
function groupMembers(group: string): string[] {
  let keys = membersCache.get(group);
  if (!keys) {
    keys = [...new Set((decodeComposition(group) ?? []).map((r) => partitionKey(r.topic, r.partition)))];
    if (membersCache.size > 1000) membersCache.clear();
    membersCache.set(group, keys);
  }
  return keys;
}

/** Whether a flush would take something of `buf` now (a whole replay waits for all its partitions). */
export function flushable(buf: PartitionView, parts: ReadonlyMap<string, PartitionView>, staleGroups: boolean): boolean {
  if (!buf.hasTakeable) return false;
  const group = buf.held ? buf.replayGroup : null;
  return group === null || staleGroups || groupMembers(group).every((k) => parts.get(k)?.hasTakeable === true);
}

export function planFlush(parts: ReadonlyMap<string, PartitionView>, o: PlanOptions): FlushPlan {
  const plan: FlushPlan = { fresh: [], checked: [], groups: [] };
  const keys = [...parts.keys()];
  const from = keys.length > 0 ? o.rotate % keys.length : 0;
  const seen = new Set<string>();
  let taken = 0;
  for (const k of [...keys.slice(from), ...keys.slice(0, from)]) {
    const buf = parts.get(k)!;
    if (!flushable(buf, parts, o.staleGroups)) continue;
    if (!buf.held) {
      if (taken >= o.maxRecords) continue;
      plan.fresh.push(k);
      taken += buf.weight;
    } else if (buf.replayGroup === null || o.staleGroups) {
      plan.checked.push(k);
    } else if (!seen.has(buf.replayGroup)) {
      seen.add(buf.replayGroup);
      plan.groups.push({ group: buf.replayGroup, members: groupMembers(buf.replayGroup) });
    }
  }
  return plan;
}

/** A whole replay's segments in its composition's order: partitions as they appear in it, each one's segments ascending. */
export function groupOrder<T extends SegmentRef>(group: string, segs: readonly T[]): T[] {
  const order = groupMembers(group);
  return [...segs].sort(
    (a, b) => order.indexOf(partitionKey(a.topic, a.partition)) - order.indexOf(partitionKey(b.topic, b.partition)) || a.first - b.first,
  );
}

/** The segments a flush took, by kind (flush.ts). */
export interface Taken<T extends SegmentRef> {
  fresh: T[];
  checked: T[][];
  groups: T[][];
}

export interface FlushSteps<T extends SegmentRef> {
  /** New segments, cut into compositions that fit the metadata: one insert per table each. */
  compositions: T[][];
  /**
   * (1) positions unchanged, the metadata naming what is about to be inserted: one commit
   * request each, under MAX_COMMIT_METADATA, a composition's entries never split between two.
   */
  intent: CommitEntry[][];
  /** (3) offsets after the stored ranges, no metadata. */
  done: CommitEntry[];
  /** Every segment of the flush. */
  all: T[];
}

/** Units and commits of a flush; `committed` is each partition's committed position. */
export function composeFlush<T extends SegmentRef>(taken: Taken<T>, committed: (key: string) => number | null): FlushSteps<T> {
  const compositions = splitCompositions(taken.fresh);
  const all = [...taken.fresh, ...taken.checked.flat(), ...taken.groups.flat()];
  const entry = (k: string, segs: readonly T[], metadata: string): CommitEntry => {
    const s = segs[0]!;
    return { topic: s.topic, partition: s.partition, offset: String(committed(k) ?? s.first), metadata };
  };
  // Whole replays keep the intent their previous owner wrote (it names exactly them).
  const intent: CommitEntry[][] = [];
  let request: CommitEntry[] = [];
  let bytes = 0;
  const add = (unit: CommitEntry[]) => {
    const size = unit.reduce((n, e) => n + Buffer.byteLength(e.metadata), 0);
    if (request.length > 0 && bytes + size > MAX_COMMIT_METADATA) {
      intent.push(request);
      request = [];
      bytes = 0;
    }
    request.push(...unit);
    bytes += size;
  };
  for (const comp of compositions) {
    const metadata = encodeComposition(comp);
    if (metadata === undefined) throw new Error(`a flush composition of ${comp.length} segments does not fit the offset metadata limit`);
    add([...byPartition(comp)].map(([k, segs]) => entry(k, segs, metadata)));
  }
  for (const segs of taken.checked) {
    add([entry(partitionKey(segs[0]!.topic, segs[0]!.partition), segs, encodeIntent(segs.map((s) => ({ first: s.first, last: s.last }))))]);
  }
  if (request.length > 0) intent.push(request);
  const done: CommitEntry[] = [];
  for (const [k, segs] of byPartition(all)) {
    const next = segs[segs.length - 1]!.last + 1;
    const at = committed(k);
    if (at !== null && next < at) throw new Error(`invariant: ${k} committed offset would move back from ${at} to ${next}`);
    done.push({ topic: segs[0]!.topic, partition: segs[0]!.partition, offset: String(next), metadata: '' });
  }
  const unitOf = new Map<string, number>();
  [...compositions, ...taken.checked, ...taken.groups].forEach((unit, i) => {
    for (const s of unit) {
      const k = partitionKey(s.topic, s.partition);
      if ((unitOf.get(k) ?? i) !== i) throw new Error(`invariant: ${k} would be named by two units of one flush`);
      unitOf.set(k, i);
    }
  });
  return { compositions, intent, done, all };
}

/** What the flush cadence looks at, when no flush is running (kafka-source.ts). */
export interface CadenceState {
  /** Records buffered, counted by weight (what the bounds count). */
  weight: number;
  /** Age (ms) of the oldest record a flush could take now; null when nothing is flushable. */
  oldestAgeMs: number | null;
  /** Flushes started so far (the first goes at once: rows visible soon after start). */
  flushes: number;
  /** Draining at stop: take what there is now. */
  force: boolean;
}

export interface CadenceOptions {
  /** FAULTLINE_BATCH_SIZE: a flush starts at this weight, and takes this much when not behind. */
  batchSize: number;
  /** FAULTLINE_BATCH_MS: a flush starts when the oldest buffered record is this old. */
  batchMs: number;
  /** FAULTLINE_BATCH_MIN_SIZE: with the sink idle, a flush starts as soon as this much is buffered. */
  minSize: number;
}

/**
 * Flushes taken when behind hold up to this many batch sizes: larger inserts cost the engine less
 * per row (fixed cost per insert, fewer parts to merge): 300,000 records, batch 100,000 against
 * 50,000, 25.6 vs 29.5 and 30.0 vs 37.4 µs CPU per record after the first batch (bench/RESULTS.md,
 * issue 17). The backpressure bound (3 × the batch size, in memory including the flush in flight)
 * is unchanged, so memory is too.
 */
export const BEHIND_FACTOR = 2;

/**
 * The adaptive cadence (docs/delivery.md, "Bounds"): whether a flush starts now, and how much it
 * may take; null: not now. One flush runs at a time, so this is asked when none is running:
 * - at `minSize` buffered a flush starts at once, without waiting for `batchMs`: under a steady
 *   load a flush starts as soon as the previous one is stored, and holds what arrived meanwhile
 *   (batches grow with the load, records do not wait for the interval); at low rates the time
 *   bound applies, so inserts stay large enough for the engine;
 * - behind (more than `batchSize` buffered), a flush takes up to BEHIND_FACTOR × `batchSize`.
 */
export function nextFlush(s: CadenceState, o: CadenceOptions): { maxRecords: number } | null {
  if (s.oldestAgeMs === null) return null;
  const maxRecords = s.weight > o.batchSize ? BEHIND_FACTOR * o.batchSize : o.batchSize;
  const due = s.force || s.flushes === 0 || s.weight >= Math.min(o.minSize, o.batchSize) || s.oldestAgeMs >= o.batchMs;
  return due ? { maxRecords } : null;
}
