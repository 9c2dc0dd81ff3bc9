// Bringing a short rollup back to what its table holds (`faultline status --repair-rollups`).
// A kill that tears a view part leaves that rollup short of the block for good
// (docs/delivery.md, "Residual window"; sql/rollup-drift.ts finds it). The rollups are
// SummingMergeTree tables, so the missing counts can simply be added: per key of the rollup
// (its ORDER BY) in the window, what the view's own SELECT (system.tables `as_select`, so this
// file repeats no view) gives over the table, minus what the rollup holds, inserted as one more
// row that the engine sums in. Only groups whose count is short get a row; a group counted too
// often cannot be taken back from unsigned sums and is reported instead. The window ends
// 10 minutes ago, so inserts still landing in the last minutes are not counted twice.
import { checkDatabaseName } from './migrate.ts';
import { ROLLUPS } from './rollups.ts';
import type { Store } from './store.ts';

export interface RollupRepair {
  rollup: string;
  /** Groups (rollup keys) that were short, and the counts added to them. */
  groups: number;
  added: number;
  /** Groups counted more often than their table holds (left as they are). */
  over: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Add what each rollup misses, over the days its table still holds (retention) up to 10 minutes ago. */
export async function repairRollups(store: Pick<Store, 'query' | 'command'>, db: string, retentionDays: number): Promise<RollupRepair[]> {
  checkDatabaseName(db);
  const out: RollupRepair[] = [];
  // Every view's SELECT and every rollup's key, in one lookup.
  const tables = await store.query<{ name: string; as_select: string; sorting_key: string }>(
    'SELECT name, as_select, sorting_key FROM system.tables WHERE database = {db:String} AND name IN {names:Array(String)}',
    { db, names: ROLLUPS.flatMap((r) => [r.view, r.rollup]) },
  );
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const s of ROLLUPS) {
    const view = byName.get(s.view);
    const table = byName.get(s.rollup);
    if (!view || !table) continue; // not migrated that far
    const columns = await store.query<{ name: string; type: string }>(
      'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {name:String} ORDER BY position',
      { db, name: s.rollup },
    );
    const keys = table.sorting_key.split(',').map((k) => k.trim());
    const sums = columns.map((c) => c.name).filter((c) => !keys.includes(c));
    for (const c of [...keys, ...sums]) if (!IDENT.test(c)) throw new Error(`repairRollups: unexpected column ${c} in ${s.rollup}`);
    // Types as the rollup stores them (a Nullable column of the table becomes the rollup's plain
    // type in the view's insert; the join must compare like with like). An aggregate-function
    // column's own type is its value type.
    const typeOf = new Map(columns.map((c) => [c.name, /^SimpleAggregateFunction\(\w+, (.*)\)$/.exec(c.type)?.[1] ?? c.type]));
    const agg = (c: string) => s.combine?.[c] ?? 'sum';
    const since = retentionDays > 0 ? `today() - ${Math.max(0, retentionDays - 1)}` : "toDate('1970-01-02')";
    const until = `${s.step}(now() - INTERVAL 10 MINUTE)`;
    const window = `${s.time} >= ${since} AND ${s.time} < ${until}`;
    // The view's SELECT over the whole table; the window on its time key is pushed down by the engine.
    const expected =
      `SELECT ${[...keys, ...sums].map((c) => `CAST(${c}, '${typeOf.get(c)!.replace(/'/g, "\\'")}') AS ${c}`).join(', ')} ` +
      `FROM (${view.as_select}) WHERE ${window}`;
    const current =
      `SELECT ${keys.join(', ')}, ${sums.map((c) => `${agg(c)}(${c}) AS ${c}`).join(', ')} FROM ${db}.${s.rollup} ` +
      `GROUP BY ${keys.join(', ')} HAVING ${window}`;
    const joined = `FROM (${expected}) AS e LEFT JOIN (${current}) AS r USING (${keys.join(', ')})`;
    const short = `e.${s.count} > r.${s.count}`;
    const [tally] = await store.query<{ groups: number; added: number; over: number }>(
      `SELECT countIf(${short}) AS groups, sumIf(e.${s.count} - r.${s.count}, ${short}) AS added, ` +
        `countIf(e.${s.count} < r.${s.count}) AS over ${joined} SETTINGS join_use_nulls = 0`,
    );
    if (Number(tally?.groups ?? 0) > 0) {
      // No deduplication: a repair's block may equal an earlier one by content and still be new.
      const values = sums.map((c) => (agg(c) === 'sum' ? `e.${c} - r.${c}` : `e.${c}`));
      await store.command(
        `INSERT INTO ${db}.${s.rollup} (${[...keys, ...sums].join(', ')}) SETTINGS insert_deduplicate = 0 ` +
          `SELECT ${keys.join(', ')}, ${values.join(', ')} ${joined} WHERE ${short} SETTINGS join_use_nulls = 0`,
      );
    }
    out.push({ rollup: s.rollup, groups: Number(tally?.groups ?? 0), added: Number(tally?.added ?? 0), over: Number(tally?.over ?? 0) });
  }
  return out;
}
