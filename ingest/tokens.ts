// Insert-deduplication tokens (docs/delivery.md, "The protocol"): every token is a pure function
// of what an insert holds — the ordered (topic, partition, first, last, digest) list of its
// segments, or for a checked replay the exact rows it inserts — never of when or where the
// rows were built, so the same insert repeated (a retry, the next owner's replay) carries the
// same token and ClickHouse drops what it already stored, block by block. Two kinds, named for
// the two kinds of insert, like the two kinds of intent in intent.ts, and a third that is the
// exception:
//
//   flush:<sha1 of the ordered segment list>:<table>                 a flush (any number of segments; ledger too)
//   check:<sha1 of the range, 16>:<sha1 of the rows' offsets>:<table>   the missing rows of one checked range
//   repair:<sha1 of the range, 16>:ledger:<random>   a ledger row a replay found missing although the
//                         store acknowledged it under its flush token (sink.ts `repair`): that
//                         token is spent, so a new one
//
// Stores written by versions that used the older names (fl1/fl2/fl3) are not replayed under the
// new ones: drain before upgrading (docs/delivery.md, "Upgrading").
import { createHash, randomBytes } from 'node:crypto';

/** What a token names of a segment: its range and the digest of its records' (offset, bytes). */
export interface TokenPart {
  topic: string;
  partition: number;
  first: number;
  last: number;
  digest: string;
}

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
const part = (s: TokenPart): string => `${s.topic}\0${s.partition}\0${s.first}\0${s.last}\0${s.digest}`;

/** The token of one flush's insert of `segs`, in this order, into `table` (events, rejects, ledger). */
export function flushToken(segs: readonly TokenPart[], table: string): string {
  const h = createHash('sha1');
  for (const s of segs) h.update(`${part(s)}\n`);
  return `flush:${h.digest('hex')}:${table}`;
}

/**
 * The token of a checked replay's insert of exactly the rows `offsets` (their offsets,
 * `.record_index` when not 0) of `seg` into `table`.
 */
export function checkedToken(seg: TokenPart, offsets: readonly (number | string)[], table: string): string {
  return `check:${sha1(part(seg)).slice(0, 16)}:${sha1(offsets.join(','))}:${table}`;
}

/**
 * A token for the ledger row of `seg` that the store acknowledged and does not hold (a torn
 * insert: its deduplication entry kept, its part lost; sink.ts `repair`). Re-using the spent
 * token would be dropped again, so this one is new each time: the row was just read as missing,
 * and a retry inside the sink reuses the token it was given.
 */
export function repairToken(seg: TokenPart): string {
  return `repair:${sha1(part(seg)).slice(0, 16)}:ledger:${randomBytes(8).toString('hex')}`;
}

/** The token of the ledger rows of `segs`, in this order: a flush token like the rows'. */
export function ledgerToken(segs: readonly TokenPart[]): string {
  return flushToken(segs, 'ledger');
}
