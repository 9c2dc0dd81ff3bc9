// After crash runs: which events the rollups miss, and which kind of replay had taken the
// ranges holding them (docs/delivery.md, residual window 3a: a kill between a block's `events`
// part and its view parts). The delivery model says only a checked replay (its own `check:`
// tokens, rows already in `events` left out) can leave a rollup short; a whole replay repeats
// the first insert, which ClickHouse completes view by view
// (`deduplicate_blocks_in_dependent_materialized_views=1`).
import type { Store } from '../../sql/index.ts';

type ReplayKind = 'whole' | 'checked';

export interface ReplayRange {
  /** `topic/partition`, as ingest/intent.ts's partitionKey writes it. */
  key: string;
  first: number;
  last: number;
  kind: ReplayKind;
}

/** The ranges a run announced replaying (ingest/recovery.ts describeReplay), from its stderr. */
export function replayRanges(stderr: string): ReplayRange[] {
  const out: ReplayRange[] = [];
  for (const m of stderr.matchAll(/(\S+\/\d+): replaying ([\d,-]+) from the previous owner's intent, (whole|checked)/g)) {
    for (const r of m[2]!.split(',')) {
      const [first, last] = r.split('-').map(Number) as [number, number];
      out.push({ key: m[1]!, first, last, kind: m[3] as ReplayKind });
    }
  }
  return out;
}

export interface Shortfall {
  /** Events minus what each rollup counts. */
  events1m: number;
  events1h: number;
  requestIndex: number;
  /** Events missing from request_index, by the kinds of replay announced for their offsets ('none': never replayed). */
  byReplay: Record<string, number>;
}

/**
 * Every event here has a request id of its own, so `request_index` names the exact rows a view
 * part lost; `events_1m` and `events_1h` give totals only.
 */
export async function rollupShortfall(store: Store, db: string, ranges: readonly ReplayRange[]): Promise<Shortfall> {
  const [t] = await store.query<{ events: number; m1: number; h1: number; ri: number }>(
    `SELECT (SELECT count() FROM ${db}.events) AS events, (SELECT sum(events) FROM ${db}.events_1m) AS m1,
            (SELECT sum(events) FROM ${db}.events_1h) AS h1, (SELECT sum(events) FROM ${db}.request_index) AS ri`,
  );
  const missing = await store.query<{ topic: string; partition: number; offset: string }>(
    `SELECT topic, partition, toString(offset) AS offset FROM ${db}.events
     WHERE request_id NOT IN (SELECT request_id FROM ${db}.request_index)`,
  );
  const byReplay: Record<string, number> = {};
  for (const row of missing) {
    const key = `${row.topic}/${row.partition}`;
    const offset = Number(row.offset);
    const kinds = [...new Set(ranges.filter((r) => r.key === key && r.first <= offset && offset <= r.last).map((r) => r.kind))].sort();
    const label = kinds.length === 0 ? 'none' : kinds.join('+');
    byReplay[label] = (byReplay[label] ?? 0) + 1;
  }
  const events = Number(t!.events);
  return { events1m: events - Number(t!.m1), events1h: events - Number(t!.h1), requestIndex: events - Number(t!.ri), byReplay };
}
