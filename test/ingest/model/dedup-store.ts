// ClickHouse's insert deduplication, in memory, as ingest/README.md ("Delivery") relies on it:
// an insert is cut into blocks (one per `event_time` day here, as the `events` table's monthly
// partitioning by day would), each block is identified by `<token>_<block number>`, and a block
// whose id was seen is dropped — whatever its content — in the table and, separately
// (`deduplicate_blocks_in_dependent_materialized_views=1`), in the view fed by it. A block's
// table part and view part are two steps: a crash between them leaves the rows without their
// rollup, which only an identical insert completes. The ledger is one block per insert.
// Each part is added as ClickHouse's non-replicated MergeTree adds it: the block id goes into the
// deduplication log first, the part is put in place after (MergeTreeSink::finishDelayedChunk:
// `deduplication_log->addPart`, then `renameTempPartAndAdd`), so a death between the two (a
// 'torn' step) keeps the id without the rows, and the same token never stores them again.
// Rows are identified by rowKey (topic/partition/offset/record_index): one record of the model
// may give several rows (an OTLP message), in both tables and over several days, hence blocks.
import { EVENT_COLUMNS, REJECT_COLUMNS } from '../../../sql/rows.ts';
import { storedRowKey, type DeliveryTarget, type LedgerRow, type StoredRange } from '../../../sql/ledger.ts';
import type { RowPayload } from '../../../sql/store.ts';
import type { Faults } from './faults.ts';

interface StoredRow {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly recordIndex: number;
  readonly day: string;
}

const COL = {
  events: {
    time: EVENT_COLUMNS.indexOf('event_time'),
    topic: EVENT_COLUMNS.indexOf('topic'),
    partition: EVENT_COLUMNS.indexOf('partition'),
    offset: EVENT_COLUMNS.indexOf('offset'),
    index: EVENT_COLUMNS.indexOf('record_index'),
  },
  rejects: {
    time: REJECT_COLUMNS.indexOf('transport_time'),
    topic: REJECT_COLUMNS.indexOf('topic'),
    partition: REJECT_COLUMNS.indexOf('partition'),
    offset: REJECT_COLUMNS.indexOf('offset'),
    index: REJECT_COLUMNS.indexOf('record_index'),
  },
} as const;

export const rowKey = (topic: string, partition: number, offset: number, recordIndex: number): string =>
  `${topic}/${partition}/${offset}/${recordIndex}`;

class Table {
  readonly rows: StoredRow[] = [];
  /** Rows counted by the view (the rollup). */
  viewRows = 0;
  readonly blocks = new Set<string>();
  readonly viewBlocks = new Set<string>();
  /** Blocks whose table part was written and whose view part was not (yet): their rows. */
  readonly viewless = new Map<string, readonly StoredRow[]>();
  /** Blocks whose view part was torn (its id kept, its rows lost): nothing brings them back. */
  readonly tornViews = new Set<string>();

  copyTo(t: Table): void {
    t.rows.push(...this.rows);
    t.viewRows = this.viewRows;
    for (const b of this.blocks) t.blocks.add(b);
    for (const b of this.viewBlocks) t.viewBlocks.add(b);
    for (const [k, v] of this.viewless) t.viewless.set(k, v);
    for (const b of this.tornViews) t.tornViews.add(b);
  }
}

export class DedupStore {
  readonly tables = { events: new Table(), rejects: new Table() };
  readonly ledger: LedgerRow[] = [];
  private readonly ledgerTokens = new Set<string>();
  /** The ranges checked replays looked at (the residual window's second condition). */
  readonly checkedRanges: StoredRange[] = [];

  /** A copy, to continue from as it is now (rows are never changed once stored: they are shared). */
  clone(): DedupStore {
    const c = new DedupStore();
    this.tables.events.copyTo(c.tables.events);
    this.tables.rejects.copyTo(c.tables.rejects);
    c.ledger.push(...this.ledger);
    for (const t of this.ledgerTokens) c.ledgerTokens.add(t);
    c.checkedRanges.push(...this.checkedRanges);
    return c;
  }

  /** The first difference from `other` (rows, blocks, views, ledger, checked ranges), or undefined when they hold the same. */
  differs(other: DedupStore): string | undefined {
    for (const name of ['events', 'rejects'] as const) {
      const [a, b] = [this.tables[name], other.tables[name]];
      if (a.rows.length !== b.rows.length || a.rows.some((r, i) => r.key !== b.rows[i]!.key)) return `${name} rows`;
      if (a.viewRows !== b.viewRows || !sameSet(a.blocks, b.blocks) || !sameSet(a.viewBlocks, b.viewBlocks)) return `${name} blocks`;
      if (!sameSet(new Set(a.viewless.keys()), new Set(b.viewless.keys())) || !sameSet(a.tornViews, b.tornViews))
        return `${name} blocks without their view part`;
    }
    const ledger = (s: DedupStore) => JSON.stringify(s.ledger);
    if (!sameSet(this.ledgerTokens, other.ledgerTokens) || ledger(this) !== ledger(other)) return 'ledger';
    if (JSON.stringify(this.checkedRanges) !== JSON.stringify(other.checkedRanges)) return 'checked ranges';
    return undefined;
  }

  /** The DeliveryTarget of one member, dying where its `faults` says. */
  target(faults: Faults): DeliveryTarget {
    return {
      insertRows: async (table, payload, token) => {
        await null;
        faults.step('insert');
        const t = this.tables[table];
        const blocks = split(table, payload, token);
        for (let i = 0; i < blocks.length; i++) {
          const id = `${token}_${i}`;
          const block = blocks[i]!;
          if (!t.blocks.has(id)) {
            t.blocks.add(id);
            faults.step('torn');
            for (const row of block) t.rows.push(row);
            if (!t.viewBlocks.has(id)) t.viewless.set(id, block);
          }
          faults.step('block');
          if (!t.viewBlocks.has(id)) {
            t.viewBlocks.add(id);
            // Torn here, the rows stay uncounted for good (also when the table part was torn
            // before: the repair adds them to the table, never to the views).
            t.tornViews.add(id);
            if (!t.viewless.has(id)) t.viewless.set(id, block);
            faults.step('torn');
            t.tornViews.delete(id);
            t.viewRows += block.length;
            t.viewless.delete(id);
          }
          faults.step('view');
        }
        faults.step('ack');
      },
      // ATTACH PARTITION FROM a staging table: no token, no views, all or nothing per partition.
      insertRepair: async (table, payload) => {
        await null;
        faults.step('insert');
        for (const block of split(table, payload)) this.tables[table].rows.push(...block);
        faults.step('ack');
      },
      insertLedger: async (rows, token) => {
        await null;
        faults.step('ledger');
        if (!this.ledgerTokens.has(token)) {
          this.ledgerTokens.add(token);
          faults.step('torn');
          this.ledger.push(...rows); // the sink's own objects: nothing changes them once sent
        }
        faults.step('ack');
      },
      hasLedgerRange: async (r) => {
        await null;
        this.checkedRanges.push({ ...r });
        faults.step('lookup');
        return this.ledger.some((l) => same(l, r));
      },
      storedRows: async (r) => {
        await null;
        faults.step('lookup');
        const out = new Set<string>();
        for (const t of [this.tables.events, this.tables.rejects]) {
          for (const row of t.rows)
            if (row.topic === r.topic && row.partition === r.partition && row.offset >= r.first && row.offset <= r.last)
              out.add(storedRowKey(row.offset, row.recordIndex));
        }
        return out;
      },
    };
  }
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

const same = (l: LedgerRow, r: StoredRange) =>
  l.topic === r.topic && l.partition === r.partition && l.first_offset === r.first && l.last_offset === r.last;

/**
 * The schedules of one scenario insert the same payloads again and again: their blocks are
 * parsed once (a row never changes once stored, so the lists are shared, read-only). Found by
 * the insert's token and checked against its body (comparing the text costs less than hashing
 * it as a key): a token that came with other rows is parsed again, never trusted.
 */
const parsed = new Map<string, { body: string; blocks: readonly (readonly StoredRow[])[] }>();

/** The rows of an insert, cut into blocks by day in order of first appearance. */
function split(table: 'events' | 'rejects', payload: RowPayload, token?: string): readonly (readonly StoredRow[])[] {
  const body = payload.body.toString();
  if (token === undefined) return parse(table, body); // a repair (no token): rare
  const key = `${table} ${token}`;
  const hit = parsed.get(key);
  if (hit?.body === body) return hit.blocks;
  if (parsed.size >= 4096) parsed.clear();
  const blocks = parse(table, body);
  parsed.set(key, { body, blocks });
  return blocks;
}

function parse(table: 'events' | 'rejects', body: string): StoredRow[][] {
  const c = COL[table];
  const byDay = new Map<string, StoredRow[]>();
  for (const line of body.split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    const topic = f[c.topic]!;
    const partition = Number(f[c.partition]);
    const offset = Number(f[c.offset]);
    const recordIndex = Number(f[c.index]);
    const day = f[c.time]!.slice(0, 10);
    const list = byDay.get(day) ?? [];
    list.push({ key: rowKey(topic, partition, offset, recordIndex), topic, partition, offset, recordIndex, day });
    byDay.set(day, list);
  }
  return [...byDay.values()];
}
