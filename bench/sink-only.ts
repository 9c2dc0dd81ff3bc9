// The store's share of the cost: normalized rows serialised and inserted into the real schema
// (events + its materialized views) in chDB, in batches like the ingest's, with
// insert-deduplication tokens. No Kafka. Run as a child process (chDB is a singleton).
//
// Single mode (bench/index.ts's "sink" phase):
//   node --import tsx bench/sink-only.ts --data DIR --records N [--batch 50000] [--no-views]
// prints one JSON line: µs per row for normalize, JSON serialisation and the insert.
//
// Matrix mode (what each part of the schema and each setting costs, one factor at a time):
//   node --import tsx bench/sink-only.ts --matrix --data DIR [--records 200000] [--small 49920]
//        [--batches 50000,780] [--variants base,tsv,…] [--repeat 1]
// Every variant gets a fresh database built from the migrations with one change, receives the
// same rows in inserts of each batch size, then the bench waits until no merge has run for a
// while. Columns: process CPU (all threads: engine parsing, MV, part writes) per row during the
// inserts, and including the background merges that follow (idle CPU subtracted).
import { rmSync } from 'node:fs';
import { loadavg as osLoadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { EmbeddedStore } from '../sql/embedded-store.ts';
import type { EventRow } from '../sql/store.ts';
import { loadMigrations } from '../sql/migrate.ts';
import { eventLine, EVENT_COLUMNS, insertSettings } from '../sql/rows.ts';
import { eventTsvLine } from '../sql/row-format.ts';
import { normalize } from '../transform/normalize.ts';
import type { Event } from '../transform/event.ts';
import { VARIANTS, type Variant } from './sink-variants.ts';

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

type Row = { e: Event; partition: number; offset: number };

function corpus(n: number, seed: number): { rows: Row[]; normalizeMs: number } {
  const raw: Buffer[] = [];
  for (const r of generateRecords({ count: n, sources: 'gateway', garbage: 0, seed })) raw.push(Buffer.from(r.value));
  const t = performance.now();
  const rows: Row[] = [];
  raw.forEach((b, i) => {
    const r = normalize(b, { source: 'gateway', transportTimeMs: Date.now() });
    if (r.ok) rows.push({ e: r.event, partition: i % 64, offset: i });
  });
  return { rows, normalizeMs: performance.now() - t };
}

type Format = 'JSONCompactEachRow' | 'TabSeparated' | 'JSONEachRow';

function encode(rows: readonly Row[], format: Format, basicTime = false): string {
  let s = '';
  if (basicTime) {
    for (const r of rows)
      s += eventTsvLine(
        { ...r.e, event_time: `${r.e.event_time.slice(0, 10)} ${r.e.event_time.slice(11, 23)}` },
        'bench',
        r.partition,
        r.offset,
      );
    return s;
  }
  if (format === 'JSONCompactEachRow') for (const r of rows) s += eventLine(r.e, 'bench', r.partition, r.offset);
  else if (format === 'TabSeparated') for (const r of rows) s += eventTsvLine(r.e, 'bench', r.partition, r.offset);
  else for (const r of rows) s += `${JSON.stringify({ ...r.e, topic: 'bench', partition: r.partition, offset: String(r.offset) })}\n`;
  return s;
}

/** Bodies of `rows` cut into inserts of `batch` rows, plus the JS time to serialise them. */
function bodies(rows: readonly Row[], batch: number, format: Format, basicTime = false): { bodies: Buffer[]; us: number; bytes: number } {
  const t = performance.now();
  const out: Buffer[] = [];
  for (let i = 0; i < rows.length; i += batch) out.push(Buffer.from(encode(rows.slice(i, i + batch), format, basicTime)));
  const us = ((performance.now() - t) * 1000) / rows.length;
  return { bodies: out, us, bytes: out.reduce((a, b) => a + b.length, 0) };
}

const cpuUs = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `db` has had no running merge for `quietMs`; returns the wall ms waited. */
async function settle(store: EmbeddedStore, db: string, quietMs = 1500): Promise<number> {
  const t0 = performance.now();
  let quietSince = performance.now();
  for (;;) {
    await sleep(100);
    const [r] = await store.query<{ n: number }>(`SELECT count() AS n FROM system.merges WHERE database = '${db}'`);
    if (Number(r?.n ?? 0) > 0) quietSince = performance.now();
    else if (performance.now() - quietSince >= quietMs) return performance.now() - t0;
    if (performance.now() - t0 > 120_000) return performance.now() - t0;
  }
}

interface Measured {
  variant: string;
  batch: number;
  rows: number;
  /** Process CPU µs per row during the inserts; then including the merges that followed until quiet. */
  insertCpu: number;
  totalCpu: number;
  /**
   * CPU µs per row of one merge of all of events' parts into one (OPTIMIZE … FINAL): the price
   * of each merge level a row goes through.
   */
  mergeCpu: number;
  wall: number;
  parts: number;
  jsUs: number;
  bytes: number;
  /** Compressed bytes on disk per row, events only. */
  diskBytes: number;
}

async function measure(
  store: EmbeddedStore,
  v: Variant,
  rows: readonly Row[],
  batch: number,
  idleUsPerMs: number,
  k: number,
): Promise<Measured> {
  const db = `sv_${k}`;
  const format = v.format ?? 'JSONCompactEachRow';
  const enc = bodies(rows, batch, format, v.basicTime);
  await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
  await store.command(`CREATE DATABASE ${db}`);
  // Variants change the released schema (0001–0006) unless they ask for every migration.
  const migrations = loadMigrations(db, 30).filter((m) => v.allMigrations || m.name <= '0006');
  const stmts = v.ddl(
    migrations.flatMap((m) => m.statements),
    db,
  );
  for (const s of stmts) await store.command(s);
  await settle(store, db, 300);
  const cpu0 = cpuUs();
  const t0 = performance.now();
  let i = 0;
  for (const body of enc.bodies) {
    await store.insertRaw({
      table: `${db}.events`,
      format,
      body,
      ...(format === 'JSONEachRow' ? {} : { columns: [...EVENT_COLUMNS] }),
      settings: { ...insertSettings({ dedupToken: `bench:${batch}:${i++}` }), ...v.settings },
    });
  }
  const wall = performance.now() - t0;
  const insertCpu = cpuUs() - cpu0;
  const waited = await settle(store, db);
  const totalCpu = cpuUs() - cpu0 - idleUsPerMs * waited;
  const [p] = await store.query<{ n: number }>(
    `SELECT count() AS n FROM system.parts WHERE database = '${db}' AND table = 'events' AND active`,
  );
  const cpu1 = cpuUs();
  await store.command(`OPTIMIZE TABLE ${db}.events FINAL`);
  const mergeCpu = cpuUs() - cpu1;
  const [d] = await store.query<{ n: number }>(
    `SELECT sum(data_compressed_bytes) AS n FROM system.parts WHERE database = '${db}' AND table = 'events' AND active`,
  );
  const [c] = await store.query<{ n: number }>(`SELECT count() AS n FROM ${db}.events`);
  if (Number(c?.n) !== rows.length) throw new Error(`variant ${v.name}: ${c?.n} rows stored, expected ${rows.length}`);
  await store.command(`DROP DATABASE ${db} SYNC`);
  return {
    variant: v.name,
    batch,
    rows: rows.length,
    insertCpu: insertCpu / rows.length,
    totalCpu: totalCpu / rows.length,
    mergeCpu: mergeCpu / rows.length,
    diskBytes: Number(d?.n ?? 0) / rows.length,
    wall: (wall * 1000) / rows.length,
    parts: Number(p?.n ?? 0),
    jsUs: enc.us,
    bytes: enc.bytes / rows.length,
  };
}

async function matrix(values: Record<string, string | boolean | undefined>): Promise<void> {
  const data = String(values.data);
  const n = Number(values.records ?? 200_000);
  const small = Number(values.small ?? 49_920);
  const batches = String(values.batches ?? '50000,780')
    .split(',')
    .map(Number);
  const names = values.variants ? String(values.variants).split(',') : VARIANTS.map((v) => v.name);
  const repeat = Number(values.repeat ?? 1);
  const chosen = names.map(
    (name) =>
      VARIANTS.find((v) => v.name === name) ??
      (() => {
        throw new Error(`unknown variant ${name}; known: ${VARIANTS.map((v) => v.name).join(', ')}`);
      })(),
  );
  rmSync(data, { recursive: true, force: true });
  const { rows } = corpus(n, Number(values.seed ?? 42));
  const store = await EmbeddedStore.open(data, 'default', 30);
  const out: Measured[] = [];
  try {
    // Idle CPU of the engine's background threads, subtracted from the merge wait.
    const c0 = cpuUs();
    const t0 = performance.now();
    await sleep(2000);
    const idle = (cpuUs() - c0) / (performance.now() - t0);
    process.stderr.write(`idle engine CPU: ${((idle * 100) / 1000).toFixed(2)}% of a core; load ${loadavg()}\n`);
    // Warm-up (page faults of the engine's code, first-use allocations): not reported.
    await measure(store, chosen[0]!, rows.slice(0, 50_000), 50_000, idle, 0);
    let k = 1;
    for (let r = 0; r < repeat; r++) {
      for (const v of chosen) {
        for (const b of batches) {
          const part = b < 5000 ? rows.slice(0, small) : rows;
          const m = await measure(store, v, part, b, idle, k++);
          out.push(m);
          process.stderr.write(
            `${v.name.padEnd(18)} batch ${String(b).padStart(6)}: insert ${m.insertCpu.toFixed(1)} µs/row CPU, +merges ` +
              `${m.totalCpu.toFixed(1)}, one merge ${m.mergeCpu.toFixed(1)}, disk ${m.diskBytes.toFixed(0)} B/row, wall ` +
              `${m.wall.toFixed(1)}, parts ${m.parts}, JS ${m.jsUs.toFixed(1)} µs, ${m.bytes.toFixed(0)} B/row  (load ${loadavg()})\n`,
          );
        }
      }
    }
  } finally {
    await store.close();
    rmSync(data, { recursive: true, force: true });
  }
  // Table: one row per variant, per batch size (median of the repeats): insert CPU, with merges, and vs base.
  const base = (b: number, key: 'insertCpu' | 'totalCpu') =>
    avg(out.filter((m) => m.variant === chosen[0]!.name && m.batch === b).map((m) => m[key]));
  const head = [
    'variant',
    'what',
    ...batches.flatMap((b) => [`${b}: insert µs/row`, `${b}: +merges`, `${b}: Δ vs ${chosen[0]!.name}`]),
    'one merge µs/row',
    'disk B/row',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const v of chosen) {
    const cells = batches.flatMap((b) => {
      const ms = out.filter((m) => m.variant === v.name && m.batch === b);
      const ins = avg(ms.map((m) => m.insertCpu));
      const tot = avg(ms.map((m) => m.totalCpu));
      return [ins.toFixed(1), tot.toFixed(1), `${(((tot - base(b, 'totalCpu')) / base(b, 'totalCpu')) * 100).toFixed(0)}%`];
    });
    const all = out.filter((m) => m.variant === v.name && m.batch === Math.max(...batches));
    cells.push(avg(all.map((m) => m.mergeCpu)).toFixed(1), avg(all.map((m) => m.diskBytes)).toFixed(0));
    lines.push(`| ${v.name} | ${v.what} | ${cells.join(' | ')} |`);
  }
  const big = batches.filter((b) => b >= 5000).join(',');
  process.stdout.write(
    `${lines.join('\n')}\n\nrows: ${n} in ${big}-row inserts, ${small} in smaller ones; load average at the end ${loadavg()}\n`,
  );
  const rounded = out.map((m) => ({
    ...m,
    insertCpu: round(m.insertCpu),
    totalCpu: round(m.totalCpu),
    mergeCpu: round(m.mergeCpu),
    diskBytes: Math.round(m.diskBytes),
    wall: round(m.wall),
    jsUs: round(m.jsUs),
    bytes: Math.round(m.bytes),
  }));
  process.stdout.write(`${JSON.stringify(rounded)}\n`);
}

/** Median of the repeats: robust to one run disturbed by other work on the machine. */
const avg = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const loadavg = (): string =>
  osLoadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function single(values: Record<string, string | boolean | undefined>): Promise<void> {
  const n = Number(values.records);
  const batch = Number(values.batch ?? 50_000);
  if (!values.data || !Number.isInteger(n) || n <= 0 || !Number.isInteger(batch) || batch <= 0) {
    throw new Error('sink-only: --data DIR, --records N and --batch N (> 0) are required');
  }
  const data = String(values.data);
  rmSync(data, { recursive: true, force: true });
  const { rows: normalized, normalizeMs } = corpus(n, Number(values.seed ?? 42));
  const rows: EventRow[] = normalized.map((r) => ({ ...r.e, topic: 'bench', partition: r.partition, offset: String(r.offset) }));

  let t = performance.now();
  const payloads: Buffer[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    let s = '';
    for (const r of rows.slice(i, i + batch)) s += `${JSON.stringify(r)}\n`;
    payloads.push(Buffer.from(s));
  }
  const serializeMs = performance.now() - t;
  const bytes = payloads.reduce((a, b) => a + b.length, 0);

  const store = await EmbeddedStore.open(data, 'faultline', 30);
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
    for (const body of payloads) {
      await store.insertRaw({
        table: 'faultline.events',
        format: 'JSONEachRow',
        body,
        settings: insertSettings({ dedupToken: `bench:${k++}` }),
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
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await store.close();
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      records: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'no-views': { type: 'boolean', default: false },
      matrix: { type: 'boolean', default: false },
      small: { type: 'string' },
      batches: { type: 'string' },
      variants: { type: 'string' },
      repeat: { type: 'string' },
    },
  });
  (values.matrix ? matrix(values) : single(values)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`sink-only: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
