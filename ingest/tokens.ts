// Insert-deduplication tokens (docs/delivery.md): every token is a pure function of
// what an insert holds — the ordered (topic, partition, first, last, digest) list of its
// segments, or for a checked replay the exact offsets it inserts — never of when or where the
// rows were built, so the same insert repeated (a retry, the next owner's replay) carries the
// same token and ClickHouse drops what it already stored, block by block.
//
//   fl1:<topic>:<partition>:<first>-<last>:<digest16>:<table>   one segment (file source, one-segment flushes)
//   fl2:<sha1 of the ordered segment list>:<table>               a flush of several segments
//   fl3:<sha1 of the range, 16>:<sha1 of the offsets>:<table>     a checked replay's missing rows
//   fl1:ledger:<sha1 of the segments' fl1 ledger tokens>          the ledger rows of a flush
import { createHash } from 'node:crypto';

/** What a token names of a segment: its range and the digest of its records' (offset, bytes). */
export interface TokenPart {
  topic: string;
  partition: number;
  first: number;
  last: number;
  digest: string;
}

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

/** Tokens contain only [A-Za-z0-9._:-]: topic names may not, file names certainly may not. */
function tokenSafe(s: string): string {
  return /^[A-Za-z0-9._-]{1,100}$/.test(s) ? s : sha1(s).slice(0, 16);
}

/** The token of one segment's rows in `table` (events, rejects, ledger). */
export function segmentToken(seg: TokenPart, table: string): string {
  return `fl1:${tokenSafe(seg.topic)}:${seg.partition}:${seg.first}-${seg.last}:${seg.digest.slice(0, 16)}:${table}`;
}

/**
 * The token of one insert holding several segments, in this order. A single segment keeps its
 * own per-segment token (the file source, and flushes that hold one segment, dedup exactly as
 * before `fl2`).
 */
export function flushToken(segs: readonly TokenPart[], table: string): string {
  if (segs.length === 1) return segmentToken(segs[0]!, table);
  const h = createHash('sha1');
  for (const s of segs) h.update(`${s.topic}\0${s.partition}\0${s.first}\0${s.last}\0${s.digest}\n`);
  return `fl2:${h.digest('hex')}:${table}`;
}

/** The token of a checked replay's insert of exactly the rows `offsets` (their offsets, `.record_index` when not 0) of `seg` into `table`. */
export function checkedToken(seg: TokenPart, offsets: readonly (number | string)[], table: string): string {
  const range = sha1(`${seg.topic}\0${seg.partition}\0${seg.first}\0${seg.last}\0${seg.digest}`).slice(0, 16);
  return `fl3:${range}:${sha1(offsets.join(','))}:${table}`;
}

/** The token of the ledger rows of `segs`, in this order (unchanged since fl1). */
export function ledgerToken(segs: readonly TokenPart[]): string {
  return 'fl1:ledger:' + sha1(segs.map((s) => segmentToken(s, 'ledger')).join('|'));
}
