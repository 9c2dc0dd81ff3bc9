// The rollups against what they summarise, for `faultline status`. Every rollup is fed by the
// same inserts as its table (materialized views), so over the days both still hold they agree,
// unless a kill tore a view part: then that rollup is short of the block for good
// (docs/delivery.md, "Residual window"). Rollups have no TTL, `events` and `rejects` keep
// FAULTLINE_RETENTION_DAYS, so with a retention only whole days after the oldest one the table
// still holds are compared; the minute being written now can differ for an instant (a block's
// table part lands before its view parts), so the last two minutes are left out (for the hourly
// rollup, the hour they fall in). One statement.
import { checkDatabaseName } from './migrate.ts';
import { BASE_TIME, ROLLUPS, type Rollup } from './rollups.ts';
import type { Store } from './store.ts';

export interface RollupDrift {
  /** The rollup table. */
  rollup: string;
  /** The table it summarises. */
  of: Rollup['of'];
  /** Rows of that table in the compared days. */
  rows: number;
  /** What the rollup counts for them. */
  counted: number;
}

const COMPARED = ROLLUPS.filter((r) => r.countsRows);

/** Every rollup's count against its table's rows over the compared days (equal: exact). */
export async function rollupDrift(store: Pick<Store, 'query'>, db: string, retentionDays: number): Promise<RollupDrift[]> {
  checkDatabaseName(db);
  const since = (table: 'events' | 'rejects') =>
    retentionDays > 0 ? `toDate((SELECT min(${BASE_TIME[table]}) FROM ${db}.${table})) + 1` : "toDate('1970-01-02')";
  const cells = COMPARED.map((r, i) => {
    const t = BASE_TIME[r.of];
    const until = `${r.step}(now() - INTERVAL 2 MINUTE)`;
    return (
      `(SELECT count() FROM ${db}.${r.of} WHERE ${t} >= ${since(r.of)} AND ${t} < ${until}) AS rows${i}, ` +
      `(SELECT sum(${r.count}) FROM ${db}.${r.rollup} WHERE ${r.time} >= ${since(r.of)} AND ${r.time} < ${until}) AS counted${i}`
    );
  });
  const [row] = await store.query<Record<string, number | string | null>>(`SELECT ${cells.join(', ')}`);
  return COMPARED.map((r, i) => ({
    rollup: r.rollup,
    of: r.of,
    rows: Number(row?.[`rows${i}`] ?? 0),
    counted: Number(row?.[`counted${i}`] ?? 0),
  }));
}
