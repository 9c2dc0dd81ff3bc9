// The write-ahead intent kept in Kafka's committed-offset metadata (a free string stored with
// each committed offset, OffsetCommit v0+): before the rows of a partition's segments are
// inserted, the consumer commits its unchanged position with the exact offset ranges it is
// about to insert. Whoever next owns the partition (this process after a restart, or another
// group member after a rebalance) reads them back and cuts its first segments on exactly those
// ranges, which reproduces the same insert-deduplication tokens. See README.md, "Delivery".

export interface OffsetRange {
  first: number;
  last: number;
}

const PREFIX = 'faultline/1 ';
/** Brokers cap metadata at offset.metadata.max.bytes (4096 by default). */
const MAX_METADATA = 4000;

export function encodeIntent(ranges: readonly OffsetRange[]): string {
  const text = PREFIX + ranges.map((r) => `${r.first}-${r.last}`).join(',');
  if (text.length > MAX_METADATA) throw new Error(`intent of ${ranges.length} ranges exceeds the offset metadata limit`);
  return text;
}

/** Ranges recorded in a committed offset's metadata; [] for none, foreign or malformed metadata. */
export function decodeIntent(metadata: string | null | undefined): OffsetRange[] {
  if (!metadata || !metadata.startsWith(PREFIX)) return [];
  const out: OffsetRange[] = [];
  for (const part of metadata.slice(PREFIX.length).split(',')) {
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
