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
  /** Per log: the rows its records must leave (rowKey, and whether an event or a reject), in order. */
  expected: { key: string; event: boolean }[][];
}

/** The scenario of a seed: every schedule of a seed runs the same one, built once (nothing changes it). */
const scenarios = new Map<number, Scenario>();
function scenarioOf(seed: number): Scenario {
  let sc = scenarios.get(seed);
  if (!sc) {
    if (scenarios.size >= 64) scenarios.clear();
    sc = scenario(seed);
    scenarios.set(seed, sc);
  }
  return sc;
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
  const expected = logs.map((l) =>
    l.messages.flatMap((m) =>
      modelOutcomes(m.value!.toString()).map((o, i) => ({ key: rowKey(l.topic, l.partition, Number(m.offset), i), event: o !== 'r' })),
    ),
  );
  return { logs, maxSegmentRecords: 2 + Math.floor(r() * 4), maxRecords: 3 + Math.floor(r() * 12), expected };
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

/** The model's commit log and store: all that outlives a member (its process keeps nothing). */
interface World {
  log: CommitLog;
  store: DedupStore;
}

function memberOf(sc: Scenario, w: World) {
  return (name: string, owned: Set<string>, faults: Faults, random: () => number, staleGroups = false) =>
    new Member({
      name,
      logs: sc.logs,
      owned,
      commitLog: w.log,
      store: w.store,
      faults,
      random,
      maxSegmentRecords: sc.maxSegmentRecords,
      maxRecords: sc.maxRecords,
      staleGroups,
    });
}

const owners = (sc: Scenario) => new Set(sc.logs.map((l) => partitionKey(l.topic, l.partition)));

/** Phase 1: one owner, dying at crashAt; `onStep` sees the world as each step is reached. */
async function phase1(sc: Scenario, spec: ScheduleSpec, w: World, onStep?: () => void): Promise<Faults> {
  const f1 = new Faults(() => w.log.generation++, onStep);
  f1.crashAt = spec.crashAt;
  f1.fence = spec.fence;
  const a = memberOf(sc, w)('a', owners(sc), f1, rng(spec.seed ^ 0x5eed));
  a.join();
  await a.run();
  return f1;
}

/** Phases 2 (when phase 1 died) and 3, then the checks. */
async function rest(sc: Scenario, spec: ScheduleSpec, w: World, fired: boolean): Promise<{ residual: boolean; checked: boolean }> {
  const all = owners(sc);
  const member = memberOf(sc, w);
  const rebalance = () => w.log.generation++;
  if (fired) {
    // 2. A rebalance splits the partitions; maybe a second death.
    const r = rng(spec.seed * 31 + spec.crashAt * 7 + (spec.fence ? 1 : 0));
    rebalance();
    const f2 = new Faults(rebalance);
    if (r() < 0.5) f2.crashAt = 1 + Math.floor(r() * 40);
    f2.fence = r() < 0.3;
    const split: [Set<string>, Set<string>] = [new Set(), new Set()];
    for (const k of all) split[r() < 0.5 ? 0 : 1].add(k);
    const members = split.map((owned, i) => member(`m${i}`, owned, f2, rng(spec.seed + 1000 * (i + 1) + spec.crashAt), r() < 0.15));
    for (const m of members) m.join(); // both read the committed offsets and intents at the join
    await Promise.all(members.map((m) => m.run()));
  }

  // 3. One owner, no faults, to the end.
  rebalance();
  const last = member('z', all, new Faults(rebalance), rng(spec.seed + 77));
  last.join();
  await last.run();

  const residual = check(sc, w.log, w.store);
  return { residual, checked: w.store.checkedRanges.length > 0 };
}

/** One schedule, run whole. */
async function runSchedule(spec: ScheduleSpec): Promise<ScheduleResult> {
  const sc = scenarioOf(spec.seed);
  const w = { log: new CommitLog(), store: new DedupStore() };
  const f1 = await phase1(sc, spec, w);
  const phase = { steps: f1.steps, kinds: [...f1.kinds], fired: f1.fired };
  return { ...phase, ...(await rest(sc, spec, w, f1.fired !== undefined)) };
}

/** A schedule that broke an invariant (or threw), named so that it can be replayed. */
export class ScheduleFailure extends Error {
  constructor(
    readonly spec: ScheduleSpec,
    cause: unknown,
  ) {
    const how = spec.crashAt === 0 ? 'no fault' : `${spec.fence ? 'fenced' : 'crashed'} at step ${spec.crashAt}`;
    super(`seed ${spec.seed}, ${how}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const named = async <T>(spec: ScheduleSpec, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (err) {
    throw new ScheduleFailure(spec, err);
  }
};

/**
 * Every schedule of a seed: the dry run (no fault), then a death at each of its steps (and at a
 * commit, a fence instead), each followed by phases 2 and 3 and the checks.
 *
 * A crashed owner's process is gone: what phases 2 and 3 start from is only the commit log and
 * the store as they were when it reached the fatal step — which is what they were when the
 * dry run reached that step, as a member runs its I/O one call at a time and phase 1 is the
 * same up to there. So the dry run copies the world at every step, and a crash schedule starts
 * from that copy instead of running phase 1 again up to the crash (most of a schedule's cost).
 * A fence is run whole (the fenced member goes on). Every `crossCheck`-th crash schedule also
 * runs phase 1 again to its crash and asserts it leaves exactly the copied world, so a product
 * change that kept a crashed member's I/O going (concurrent calls) fails here instead of
 * being skipped silently.
 */
export async function exploreSeed(
  seed: number,
  visit: (spec: ScheduleSpec, r: ScheduleResult) => void,
  crossCheck = 8,
): Promise<ScheduleResult> {
  const sc = scenarioOf(seed);
  const dry: ScheduleSpec = { seed, crashAt: 0, fence: false };
  const w: World = { log: new CommitLog(), store: new DedupStore() };
  const copies: World[] = [];
  const first = await named(dry, async () => {
    const f1 = await phase1(sc, dry, w, () => copies.push({ log: w.log.clone(), store: w.store.clone() }));
    return { steps: f1.steps, kinds: [...f1.kinds], fired: f1.fired, ...(await rest(sc, dry, w, false)) };
  });
  visit(dry, first);
  for (let k = 1; k <= first.steps; k++) {
    const kind = first.kinds[k - 1]!;
    for (const fence of kind === 'commit' ? [false, true] : [false]) {
      const spec: ScheduleSpec = { seed, crashAt: k, fence };
      const r = await named(spec, async () => {
        if (fence) return runSchedule(spec);
        const at = copies[k - 1]!;
        if (k % crossCheck === seed % crossCheck) {
          const again: World = { log: new CommitLog(), store: new DedupStore() };
          const f1 = await phase1(sc, spec, again);
          again.log.generation--; // the death's rebalance, which the copy does not hold yet
          const diff =
            f1.fired !== kind || f1.steps !== k
              ? `its death (${f1.fired} at ${f1.steps})`
              : (again.log.differs(at.log) ?? again.store.differs(at.store));
          if (diff)
            throw new Error(`phase 1 run again to its death at step ${k} (${kind}) left another world than the dry run's copy: ${diff}`);
        }
        at.log.generation++; // the death ends the generation (the group rebalances)
        return { steps: k, kinds: first.kinds.slice(0, k), fired: kind, ...(await rest(sc, spec, at, true)) };
      });
      visit(spec, r);
    }
  }
  return first;
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
  const events = count(store.tables.events.rows);
  const rejects = count(store.tables.rejects.rows);
  let rows = 0;
  sc.logs.forEach((l, li) => {
    const k = partitionKey(l.topic, l.partition);
    const c = log.committed.get(k);
    const end = l.messages.length > 0 ? Number(l.messages.at(-1)!.offset) + 1 : null;
    if (end !== null && c?.offset !== end) fail(`${k}: committed ${c?.offset} at the end, not ${end} (I1: every record read is committed)`);
    if (c?.metadata) fail(`${k}: an intent is left at the end: ${c.metadata}`);
    const expected = sc.expected[li]!;
    for (const { key, event } of expected) {
      const [want, other] = event ? [events, rejects] : [rejects, events];
      if ((want.get(key) ?? 0) !== 1)
        fail(`${key}: stored ${want.get(key) ?? 0} times as ${event ? 'an event' : 'a reject'} (exactly once)`);
      if (other.has(key)) fail(`${key}: also stored as ${event ? 'a reject' : 'an event'}`);
    }
    rows += expected.length;
    const records = l.messages.length;
    // Reconciliation (faultline status): the ledger's distinct ranges count each record once.
    const ranges = new Map<string, LedgerRow>();
    for (const row of store.ledger)
      if (row.topic === l.topic && row.partition === l.partition) ranges.set(`${row.first_offset}-${row.last_offset}`, row);
    let ledgered = 0;
    let ledgerRows = 0;
    for (const v of ranges.values()) {
      ledgered += v.records;
      ledgerRows += v.events + v.rejects;
    }
    if (ledgered !== records) fail(`${k}: the ledger counts ${ledgered} records, the log holds ${records}`);
    if (ledgerRows !== expected.length) fail(`${k}: the ledger counts ${ledgerRows} rows, the log's records give ${expected.length}`);
  });
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

function count(rows: readonly { key: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const { key } of rows) m.set(key, (m.get(key) ?? 0) + 1);
  return m;
}
