// One schedule of the delivery model: a seeded scenario (topics, partitions, records with
// gaps, events over several days and rejects, segment and flush sizes), run as
//   1. one member owning every partition, dying at step `crashAt` (or fenced there, when the
//      step is a commit: its generation ends);
//   2. a rebalance: two members split the partitions at random and run concurrently, one of
//      them perhaps dying again at a seeded step (the group moves on: the other is fenced);
//   3. one member owning every partition, without faults, until everything is committed;
// then checks the delivery argument's invariants (docs/delivery.md) with exact counts.
// About 1 in 4 records is an OTLP message of 2–4 log records (modelNormalize): its rows, keyed
// (offset, record_index), mix events of different days and rejects, so one record's rows fall
// into several blocks and both tables of an insert, and a death between them leaves the record
// part-stored. The checks count rows by key and ledger records by offset: "each (offset,
// record_index) exactly once, as the right kind".
import { partitionKey } from '../../../ingest/intent.ts';
import type { LedgerRow } from '../../../sql/ledger.ts';
import type { RawMessage } from '../../../ingest/partition-buffer.ts';
import { CommitLog } from './commit-log.ts';
import { DedupStore, rowKey } from './dedup-store.ts';
import { Faults, rng, type StepKind } from './faults.ts';
import { Member, modelOutcomes, type PartitionLog } from './member.ts';

interface Scenario {
  logs: PartitionLog[];
  maxSegmentRecords: number;
  maxRecords: number;
}

/**
 * Topics `gw` and `cl`, 1–3 partitions each, 0–12 records each; offsets with gaps; ~1 in 5
 * records a reject, ~1 in 4 an OTLP message.
 */
function scenario(seed: number): Scenario {
  const r = rng(seed);
  const logs: PartitionLog[] = [];
  for (const topic of r() < 0.5 ? ['gw'] : ['gw', 'cl']) {
    const n = 1 + Math.floor(r() * 3);
    for (let partition = 0; partition < n; partition++) {
      const messages: RawMessage[] = [];
      let offset = Math.floor(r() * 3);
      const count = Math.floor(r() * 13);
      for (let i = 0; i < count; i++) {
        const day = () => String(1 + Math.floor(r() * 3));
        const kind = r();
        const otlp = () => Array.from({ length: 2 + Math.floor(r() * 3) }, () => (r() < 0.25 ? 'r' : day())).join('');
        const value =
          kind < 0.2
            ? Buffer.from(`garbage ${i}`)
            : kind < 0.45
              ? Buffer.from(`otlp:${otlp()}:${topic}${partition}x${offset}`)
              : Buffer.from(`ok:${day()}:${topic}${partition}x${offset}`);
        messages.push({ offset: String(offset), value, timestamp: String(Date.UTC(2026, 10, 21)) });
        offset += r() < 0.15 ? 2 : 1; // compaction or transaction markers leave gaps
      }
      logs.push({ topic, partition, messages });
    }
  }
  return { logs, maxSegmentRecords: 2 + Math.floor(r() * 4), maxRecords: 3 + Math.floor(r() * 12) };
}

export interface ScheduleResult {
  /** Steps of phase 1 (the dry run's count enumerates the crash points). */
  steps: number;
  kinds: StepKind[];
  fired: StepKind | undefined;
  /**
   * The run took the residual window (a kill inside a block, then a checked replay of its rows; or a
   * view part torn: its id kept, its rows lost): rollups short by exactly those rows.
   */
  residual: boolean;
  checked: boolean;
}

export interface ScheduleSpec {
  seed: number;
  /** Phase 1 dies at this step (0: no fault). */
  crashAt: number;
  fence: boolean;
}

export async function runSchedule(spec: ScheduleSpec): Promise<ScheduleResult> {
  const sc = scenario(spec.seed);
  const log = new CommitLog();
  const store = new DedupStore();
  const all = new Set(sc.logs.map((l) => partitionKey(l.topic, l.partition)));
  const member = (name: string, owned: Set<string>, faults: Faults, random: () => number, staleGroups = false) =>
    new Member({
      name,
      logs: sc.logs,
      owned,
      commitLog: log,
      store,
      faults,
      random,
      maxSegmentRecords: sc.maxSegmentRecords,
      maxRecords: sc.maxRecords,
      staleGroups,
    });
  const rebalance = () => log.generation++;

  // 1. One owner, dying at crashAt.
  const f1 = new Faults(rebalance);
  f1.crashAt = spec.crashAt;
  f1.fence = spec.fence;
  const a = member('a', all, f1, rng(spec.seed ^ 0x5eed));
  a.join();
  await a.run();
  const phase1 = { steps: f1.steps, kinds: [...f1.kinds], fired: f1.fired };

  if (f1.fired) {
    // 2. A rebalance splits the partitions; maybe a second death.
    const r = rng(spec.seed * 31 + spec.crashAt * 7 + (spec.fence ? 1 : 0));
    rebalance();
    const f2 = new Faults(rebalance);
    if (r() < 0.5) f2.crashAt = 1 + Math.floor(r() * 40);
    f2.fence = r() < 0.3;
    const owners: [Set<string>, Set<string>] = [new Set(), new Set()];
    for (const k of all) owners[r() < 0.5 ? 0 : 1].add(k);
    const members = owners.map((owned, i) => member(`m${i}`, owned, f2, rng(spec.seed + 1000 * (i + 1) + spec.crashAt), r() < 0.15));
    for (const m of members) m.join(); // both read the committed offsets and intents at the join
    await Promise.all(members.map((m) => m.run()));
  }

  // 3. One owner, no faults, to the end.
  rebalance();
  const last = member('z', all, new Faults(rebalance), rng(spec.seed + 77));
  last.join();
  await last.run();

  const residual = check(sc, log, store);
  return { ...phase1, residual, checked: store.checkedRanges.length > 0 };
}

/**
 * The delivery argument's invariants, with exact counts. Throws on the first one broken; returns
 * whether the run went through the residual window (rows without their rollup part, each of
 * them in a range a checked replay looked at: docs/delivery.md, "Residual window", 3a).
 */
function check(sc: Scenario, log: CommitLog, store: DedupStore): boolean {
  const fail = (msg: string) => {
    throw new Error(`invariant: ${msg}`);
  };
  if (log.violations.length > 0) fail(log.violations.join('; '));
  const events = count(store.tables.events.rows.map((r) => r.key));
  const rejects = count(store.tables.rejects.rows.map((r) => r.key));
  let rows = 0;
  for (const l of sc.logs) {
    const k = partitionKey(l.topic, l.partition);
    const c = log.committed.get(k);
    const end = l.messages.length > 0 ? Number(l.messages.at(-1)!.offset) + 1 : null;
    if (end !== null && c?.offset !== end) fail(`${k}: committed ${c?.offset} at the end, not ${end} (I1: every record read is committed)`);
    if (c?.metadata) fail(`${k}: an intent is left at the end: ${c.metadata}`);
    let records = 0;
    const rowsBefore = rows;
    for (const m of l.messages) {
      modelOutcomes(m.value!.toString()).forEach((o, i) => {
        const key = rowKey(l.topic, l.partition, Number(m.offset), i);
        const isEvent = o !== 'r';
        const [want, other] = isEvent ? [events, rejects] : [rejects, events];
        if ((want.get(key) ?? 0) !== 1)
          fail(`${key}: stored ${want.get(key) ?? 0} times as ${isEvent ? 'an event' : 'a reject'} (exactly once)`);
        if (other.has(key)) fail(`${key}: also stored as ${isEvent ? 'a reject' : 'an event'}`);
        rows++;
      });
      records++;
    }
    // Reconciliation (faultline status): the ledger's distinct ranges count each record once.
    const ranges = new Map<string, LedgerRow>();
    for (const row of store.ledger)
      if (row.topic === l.topic && row.partition === l.partition) ranges.set(`${row.first_offset}-${row.last_offset}`, row);
    const ledgered = [...ranges.values()].reduce((n, v) => n + v.records, 0);
    if (ledgered !== records) fail(`${k}: the ledger counts ${ledgered} records, the log holds ${records}`);
    const ledgerRows = [...ranges.values()].reduce((n, v) => n + v.events + v.rejects, 0);
    if (ledgerRows !== rows - rowsBefore) fail(`${k}: the ledger counts ${ledgerRows} rows, the log's records give ${rows - rowsBefore}`);
  }
  if (events.size + rejects.size !== rows) fail(`${events.size + rejects.size} rows stored for ${rows} outcomes`);
  let residual = false;
  for (const [name, t] of Object.entries(store.tables)) {
    const short = [...t.viewless.values()].flat();
    const torn = new Set([...t.viewless].filter(([id]) => t.tornViews.has(id)).flatMap(([, rows]) => rows.map((r) => r.key)));
    for (const r of short) {
      const checked = store.checkedRanges.some(
        (c) => c.topic === r.topic && c.partition === r.partition && c.first <= r.offset && r.offset <= c.last,
      );
      if (!checked && !torn.has(r.key))
        fail(
          `${r.key}: in ${name} without its rollup part, no checked replay looked at it and its view part was not torn (outside the residual window)`,
        );
    }
    if (t.viewRows !== t.rows.length - short.length)
      fail(`${name}: the rollup counts ${t.viewRows} rows of ${t.rows.length}, ${short.length} of them left short by a cut block`);
    residual ||= short.length > 0;
  }
  return residual;
}

function count(keys: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}
