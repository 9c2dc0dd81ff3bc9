// Rows added to `events` or `rejects` without feeding their materialized views: the repair of a
// torn insert (ingest/sink.ts `repair`). A torn block's rows are missing from the table, but
// the replay that found them missing already fed the views (ClickHouse pushes a block to the
// views even when the table drops it as a duplicate, with
// `deduplicate_blocks_in_dependent_materialized_views=1`), so an INSERT would count them twice in
// every rollup. ClickHouse's `ALTER TABLE … ATTACH PARTITION … FROM` moves parts from a table of
// the same structure without running the views (docs: "Manipulating Partitions and Parts"):
// the rows go into a staging table made `AS` the target, then its partitions are attached.
// A Replicated table (a cluster's `_local` tables) cannot be copied that way (the copy would
// name the same Keeper path), and cannot tear (Keeper stores the block id and the part in one
// transaction): what a replay finds missing there was never acknowledged, and goes in as a plain
// insert under a token never used before, views included.
import { randomBytes } from 'node:crypto';
import type { PayloadTable, RowPayload, Store } from './store.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Insert `payload` into `db.table` (events, rejects or their `_local` shard tables), views not run. */
export async function insertWithoutViews(store: Store, db: string, table: PayloadTable, payload: RowPayload): Promise<void> {
  if (!NAME.test(db)) throw new Error(`insertWithoutViews: invalid database ${db}`);
  if (payload.rows === 0) return;
  const [engine] = await store.query<{ engine: string }>(
    'SELECT engine FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    {
      db,
      table,
    },
  );
  if (engine?.engine.startsWith('Replicated')) {
    await store.insertPayload(table, payload, { dedupToken: `repair:${table}:${randomBytes(8).toString('hex')}` });
    return;
  }
  const types = await store.query<{ name: string; type: string }>(
    'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String}',
    { db, table },
  );
  const typeOf = new Map(types.map((c) => [c.name, c.type]));
  const structure = payload.columns
    .map((c) => {
      const t = typeOf.get(c);
      if (!t || !NAME.test(c)) throw new Error(`insertWithoutViews: ${db}.${table} has no column ${c}`);
      return `${c} ${t}`;
    })
    .join(', ');
  const staging = `${table}_repair_${randomBytes(6).toString('hex')}`;
  await store.command(`CREATE TABLE ${db}.${staging} AS ${db}.${table}`);
  try {
    await store.command(
      `INSERT INTO ${db}.${staging} (${payload.columns.join(', ')}) SELECT * FROM format(${payload.format}, {structure:String}, {rows:String})`,
      { structure, rows: payload.body.toString() },
    );
    const parts = await store.query<{ id: string }>(
      'SELECT DISTINCT partition_id AS id FROM system.parts WHERE database = {db:String} AND table = {staging:String} AND active',
      { db, staging },
    );
    for (const p of parts) {
      if (!/^[A-Za-z0-9_-]+$/.test(p.id)) throw new Error(`insertWithoutViews: unexpected partition id ${p.id}`);
      await store.command(`ALTER TABLE ${db}.${table} ATTACH PARTITION ID '${p.id}' FROM ${db}.${staging}`);
    }
  } finally {
    await store.command(`DROP TABLE IF EXISTS ${db}.${staging} SYNC`);
  }
}
