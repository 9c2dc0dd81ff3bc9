// The store's share of the cost: normalized rows serialised to JSONEachRow and inserted into
// the real schema (events + its materialized views) in chDB, in batches like the ingest's,
// with insert-deduplication tokens. No Kafka. Run as a child process (chDB is a singleton):
//
//   node --import tsx bench/sink-only.ts --data DIR --records N [--batch 50000] [--no-views]
//
// --batch 780 mimics one insert per partition segment (50,000 records over 64 partitions);
// --no-views drops the rollup/index materialized views first, to price them.
//
// Prints one JSON line: µs per row for normalize, JSON serialisation and the insert.
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { EmbeddedStore, type EventRow } from '../sql/index.ts';
import { normalize } from '../transform/index.ts';

export interface SinkResult {
  rows: number;
  batch: number;
  views: boolean;
  normalize_us: number;
  serialize_us: number;
  insert_us: number;
  /** CPU of the process (the engine's threads) during the inserts, per row. */
  insert_cpu_us: number;
  insert_rows_per_s: number;
  bytes_per_row: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, records: { type: 'string' }, batch: { type: 'string', default: '50000' }, seed: { type: 'string', default: '42' }, 'no-views': { type: 'boolean', default: false } },
  });
  const n = Number(values.records);
  const batch = Number(values.batch);
  if (!values.data || !Number.isInteger(n) || n <= 0 || !Number.isInteger(batch) || batch <= 0) {
    throw new Error('sink-only: --data DIR, --records N and --batch N (> 0) are required');
  }
  rmSync(values.data, { recursive: true, force: true });
  const raw: Buffer[] = [];
  for (const r of generateRecords({ count: n, sources: 'gateway', garbage: 0, seed: Number(values.seed) })) raw.push(Buffer.from(r.value));

  let t = performance.now();
  const rows: EventRow[] = [];
  raw.forEach((b, i) => {
    const r = normalize(b, { source: 'gateway', transportTimeMs: Date.now() });
    if (r.ok) rows.push({ ...r.event, topic: 'bench', partition: i % 64, offset: String(i) });
  });
  const normalizeMs = performance.now() - t;

  t = performance.now();
  const bodies: Buffer[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    let s = '';
    for (const r of rows.slice(i, i + batch)) s += JSON.stringify(r) + '\n';
    bodies.push(Buffer.from(s));
  }
  const serializeMs = performance.now() - t;
  const bytes = bodies.reduce((a, b) => a + b.length, 0);

  const store = await EmbeddedStore.open(values.data, 'faultline', 30);
  try {
    await store.migrate();
    if (values['no-views']) {
      const views = await store.query<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = 'faultline' AND engine = 'MaterializedView'",
      );
      for (const v of views) await store.command(`DROP VIEW faultline.${v.name}`);
    }
    t = performance.now();
    const cpu0 = process.cpuUsage();
    let k = 0;
    for (const body of bodies) {
      await store.insertRaw({
        table: 'faultline.events', format: 'JSONEachRow', body,
        settings: { date_time_input_format: 'best_effort', insert_deduplicate: 1, insert_deduplication_token: `bench:${k++}`, deduplicate_blocks_in_dependent_materialized_views: 1 },
      });
    }
    const insertMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const out: SinkResult = {
      rows: rows.length,
      batch,
      views: !values['no-views'],
      normalize_us: round((normalizeMs * 1000) / n),
      serialize_us: round((serializeMs * 1000) / rows.length),
      insert_us: round((insertMs * 1000) / rows.length),
      insert_cpu_us: round((cpu.user + cpu.system) / rows.length),
      insert_rows_per_s: Math.round(rows.length / (insertMs / 1000)),
      bytes_per_row: Math.round(bytes / rows.length),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await store.close();
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`sink-only: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
