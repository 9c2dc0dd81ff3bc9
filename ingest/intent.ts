// The write-ahead intent kept in Kafka's committed-offset metadata (a free string stored with
// each committed offset, OffsetCommit v0+). Before a flush inserts anything, every partition in
// it commits its unchanged position with the flush's *composition*: the ordered list of
// (topic, partition, first–last) segments that go into its one insert per table. Whoever next
// owns the partitions reads it back and either replays the identical flush (same segments, same
// order, same token) or, when the partitions are now split between owners, checks the store per
// range. See docs/delivery.md, "The protocol". Two kinds, named for what the next owner does:
//
//   faultline flush <topic>|<topic>… <t>.<partition>:<first>+<last-first>,…   a flush composition: replay it whole
//   faultline check <first>-<last>,…                                           this partition's ranges: check the store
//
// Metadata written under the older names (faultline/2, faultline/1) reads as no intent: drain
// before upgrading (docs/delivery.md, "Upgrading").

export interface OffsetRange {
  first: number;
  last: number;
}

/** One segment of a flush: a contiguous offset range of one partition. */
export interface SegmentRef extends OffsetRange {
  topic: string;
  partition: number;
}

const FLUSH = 'faultline flush ';
const CHECK = 'faultline check ';
/** Brokers cap metadata at offset.metadata.max.bytes (4096 by default). */
export const MAX_METADATA = 4000;
/**
 * The metadata one OffsetCommit may carry in all. A commit's entries go to __consumer_offsets
 * as one record batch, which the broker caps at message.max.bytes (1,048,588 bytes by
 * default): a larger intent commit is refused whole (measured on real brokers:
 * UNKNOWN_SERVER_ERROR on Kafka 4.4.0, INVALID_COMMIT_OFFSET_SIZE on 3.9.2), and retrying it
 * cannot help. A composition's metadata is repeated on each of its partitions, so compositions
 * are also cut by (partitions x metadata) and the intent is committed in requests under this
 * bound; half the broker's cap leaves room for the records' own overhead.
 */
export const MAX_COMMIT_METADATA = 512 * 1024;
/** Kafka topic names are [a-zA-Z0-9._-]{1,249}: the separators below never occur in them. */
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** A `check` intent naming this partition's ranges; throws past the metadata limit. */
export function encodeIntent(ranges: readonly OffsetRange[]): string {
  const text = CHECK + ranges.map((r) => `${r.first}-${r.last}`).join(',');
  if (text.length > MAX_METADATA) throw new Error(`intent of ${ranges.length} ranges exceeds the offset metadata limit`);
  return text;
}

/** Ranges recorded in a `check` intent; [] for none, foreign or malformed metadata. */
export function decodeIntent(metadata: string | null | undefined): OffsetRange[] {
  if (!metadata?.startsWith(CHECK)) return [];
  const out: OffsetRange[] = [];
  for (const part of metadata.slice(CHECK.length).split(',')) {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) return [];
    const first = Number(m[1]);
    const last = Number(m[2]);
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return [];
    const prev = out[out.length - 1];
    if (prev && first <= prev.last) return [];
    out.push({ first, last });
  }
  return out;
}

/** The key of a partition in maps of partitions. */
export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/** Segments grouped by partition, in order of first appearance, each list in input order. */
export function byPartition<T extends Pick<SegmentRef, 'topic' | 'partition'>>(segments: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const s of segments) {
    const k = partitionKey(s.topic, s.partition);
    const list = out.get(k);
    if (list) list.push(s);
    else out.set(k, [s]);
  }
  return out;
}

/** The composition of a flush as metadata text; undefined when it cannot be encoded within the limit. */
export function encodeComposition(refs: readonly SegmentRef[]): string | undefined {
  const topics: string[] = [];
  const entries: string[] = [];
  for (const r of refs) {
    if (!TOPIC.test(r.topic)) return undefined;
    let t = topics.indexOf(r.topic);
    if (t < 0) t = topics.push(r.topic) - 1;
    entries.push(`${t}.${r.partition}:${r.first}+${r.last - r.first}`);
  }
  const text = `${FLUSH}${topics.join('|')} ${entries.join(',')}`;
  return refs.length > 0 && text.length <= MAX_METADATA ? text : undefined;
}

/** The segments of a flush composition, in flush order; undefined for anything that is not a well-formed one. */
export function decodeComposition(metadata: string | null | undefined): SegmentRef[] | undefined {
  if (!metadata?.startsWith(FLUSH)) return undefined;
  const [topicPart, entryPart, extra] = metadata.slice(FLUSH.length).split(' ');
  if (!topicPart || !entryPart || extra !== undefined) return undefined;
  const topics = topicPart.split('|');
  if (!topics.every((t) => TOPIC.test(t))) return undefined;
  const out: SegmentRef[] = [];
  const lastOf = new Map<string, number>();
  for (const e of entryPart.split(',')) {
    const m = /^(\d+)\.(\d+):(\d+)\+(\d+)$/.exec(e);
    if (!m) return undefined;
    const topic = topics[Number(m[1])];
    const partition = Number(m[2]);
    const first = Number(m[3]);
    const last = first + Number(m[4]);
    if (topic === undefined || !Number.isSafeInteger(partition) || !Number.isSafeInteger(last)) return undefined;
    const k = partitionKey(topic, partition);
    if (first <= (lastOf.get(k) ?? -1)) return undefined; // a partition's ranges ascend and never overlap
    lastOf.set(k, last);
    out.push({ topic, partition, first, last });
  }
  return out;
}

/**
 * Cut a flush's segments into compositions that each fit the metadata limit, and whose intent
 * (the metadata once per partition) fits one commit request (MAX_COMMIT_METADATA), keeping
 * every partition's segments in one composition (a partition's metadata names one
 * composition). Normally that is one; only many partitions with long names or offsets need more.
 */
export function splitCompositions<T extends SegmentRef>(segments: readonly T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let partitions = 0;
  for (const segs of byPartition(segments).values()) {
    if (cur.length > 0) {
      const text = encodeComposition([...cur, ...segs]);
      if (text === undefined || Buffer.byteLength(text) * (partitions + 1) > MAX_COMMIT_METADATA) {
        out.push(cur);
        cur = [];
        partitions = 0;
      }
    }
    cur.push(...segs);
    partitions++;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
