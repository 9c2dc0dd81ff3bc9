// Storage benchmark on embedded chDB:
//   node --import tsx bench/storage.ts [--rows N] [--iterations N] [--no-projection] [--keep]
// Generates N events (default 10,000,000) over 7 days inside the engine, then measures in the
// same run:
//   1. request-id lookup: the product path (sql/trace.ts: request_index range + bloom filter)
//      and each ingredient alone, against a full-scan baseline (skip indexes off, no range);
//   2. dashboard-style queries over 7 days on the per-minute rollups (and the hourly ones)
//      vs the same answer from the raw events.
// Prints p50/p95 per query and the ratios. Not a timed test: numbers depend on the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { openStore, type QueryParams, type Store } from '../sql/index.ts';
import { traceRequest } from '../sql/trace.ts';
import { bulkRequestIdSql, insertBulkEvents } from '../support/bulk-events.ts';
import { DASHBOARD_PAIRS, hourlyVariant } from './storage-queries.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string' }, keep: { type: 'boolean' }, iterations: { type: 'string' }, 'no-projection': { type: 'boolean' } },
});
const ROWS = Number(values.rows ?? 10_000_000);
const ITER = Number(values.iterations ?? 30);
const PER_REQUEST = 3;
const END = '2026-11-22T00:00:00.000Z';
const FROM = '2026-11-15 00:00:00';
const TO = '2026-11-22 00:00:00';

interface Stat {
  p50: number;
  p95: number;
  n: number;
}

function stat(samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: q(0.5), p95: q(0.95), n: s.length };
}

async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<Stat> {
  await fn(0); // warm-up (caches, first-query compilation)
  const out: number[] = [];
  for (let i = 1; i <= n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return stat(out);
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(8);

function row(name: string, s: Stat, extra = ''): string {
  return `${name.padEnd(46)}${fmt(s.p50)}${fmt(s.p95)}  ${extra}`;
}

async function ids(store: Store, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const num = Math.floor((((i * 7919 + 13) % 1000) / 1000) * ROWS);
    const [r] = await store.query<{ id: string }>(`SELECT ${bulkRequestIdSql(`toUInt64(${num})`, PER_REQUEST)} AS id`);
    out.push(r!.id);
  }
  return out;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const db = 'bench_storage';
  const store = await openStore({ ...loadConfig({}), FAULTLINE_DATA: dataDir, CLICKHOUSE_DATABASE: db });
  try {
    await store.migrate();
    console.log(`generating ${ROWS.toLocaleString('en')} events over 7 days in chDB …`);
    const g0 = performance.now();
    await insertBulkEvents(store, db, { rows: ROWS, perRequest: PER_REQUEST, days: 7, end: END });
    const genS = (performance.now() - g0) / 1000;
    console.log(
      `generated in ${genS.toFixed(1)} s (${Math.round(ROWS / genS).toLocaleString('en')} rows/s, raw + rollups + index fed by MVs)\n`,
    );

    const sizes = await store.query<{ table: string; rows: number; bytes: number }>(
      `SELECT table, sum(rows) AS rows, sum(data_compressed_bytes) AS bytes FROM system.parts
       WHERE database = {db:String} AND active GROUP BY table ORDER BY table`,
      { db },
    );
    for (const s of sizes)
      console.log(`  ${s.table.padEnd(18)} ${s.rows.toLocaleString('en').padStart(12)} rows ${(s.bytes / 1e6).toFixed(1).padStart(8)} MB`);

    // --- request-id lookup ------------------------------------------------------------
    const lookIds = await ids(store, ITER + 1);
    const byId = (sql: string, i: number, extra: QueryParams = {}) => store.query(sql, { id: lookIds[i % lookIds.length]!, ...extra });
    const cols =
      'event_time, source, request_id, http_status, outcome, code, category, upstream_vendor, upstream_code, message, topic, partition, ' +
      'offset';
    const scanIter = Math.max(5, Math.floor(ITER / 3));
    const lookups: [string, Stat][] = [];
    lookups.push([
      'full scan (no index, no range)',
      await timeIt(scanIter, (i) =>
        byId(`SELECT ${cols} FROM ${db}.events WHERE request_id = {id:String} SETTINGS use_skip_indexes = 0`, i),
      ),
    ]);
    lookups.push([
      'bloom filter only',
      await timeIt(ITER, (i) => byId(`SELECT ${cols} FROM ${db}.events WHERE request_id = {id:String}`, i)),
    ]);
    lookups.push([
      'request_index range only (skip indexes off)',
      await timeIt(ITER, (i) =>
        byId(
          `SELECT ${cols} FROM ${db}.events WHERE request_id = {id:String}
        AND event_time >= (SELECT min(first_time) FROM ${db}.request_index WHERE request_id = {id:String})
        AND event_time <= (SELECT max(last_time) FROM ${db}.request_index WHERE request_id = {id:String})
        SETTINGS use_skip_indexes = 0`,
          i,
        ),
      ),
    ]);
    lookups.push([
      'trace (range + bloom, events + rejects)',
      await timeIt(ITER, async (i) => {
        const got = await traceRequest(store, db, lookIds[i % lookIds.length]!);
        if (got.length !== PER_REQUEST) throw new Error(`trace found ${got.length} rows, expected ${PER_REQUEST}`);
      }),
    ]);
    if (!values['no-projection']) {
      // A projection sorted by request_id: the fastest point lookup, at the price of a second
      // copy of every row. Measured here only; the product keeps request_index + bloom filter.
      const p0 = performance.now();
      await store.command(`ALTER TABLE ${db}.events ADD PROJECTION IF NOT EXISTS by_request (SELECT * ORDER BY request_id)`);
      await store.command(`ALTER TABLE ${db}.events MATERIALIZE PROJECTION by_request SETTINGS mutations_sync = 2`);
      const [p] = await store.query<{ bytes: number }>(
        `SELECT sum(data_compressed_bytes) AS bytes FROM system.projection_parts WHERE database = {db:String} AND table = 'events' AND ` +
          `active`,
        { db },
      );
      console.log(
        `\n(projection by_request materialized in ${((performance.now() - p0) / 1000).toFixed(1)} s, ` +
          `${((p?.bytes ?? 0) / 1e6).toFixed(1)} MB extra)`,
      );
      lookups.push([
        'projection ordered by request_id',
        await timeIt(ITER, (i) => byId(`SELECT ${cols} FROM ${db}.events WHERE request_id = {id:String} SETTINGS use_skip_indexes = 0`, i)),
      ]);
      await store.command(`ALTER TABLE ${db}.events DROP PROJECTION by_request SETTINGS mutations_sync = 2`);
    }
    const base = lookups[0]![1];
    console.log(`\nrequest-id lookup among ${ROWS.toLocaleString('en')} events (ms)        p50     p95  speed-up p50 vs full scan`);
    for (const [name, s] of lookups) console.log(row(name, s, `${(base.p50 / s.p50).toFixed(1)}×`));

    // --- dashboard queries over 7 days ----------------------------------------------------
    // What any query costs end to end here (engine call, JSON, load from other processes):
    // the floor under every figure below, and so the cap on any ratio against a fast raw query.
    const floor = await timeIt(ITER, () => store.query('SELECT {x:UInt8} AS x', { x: 1 }));
    console.log(`\nfloor: a trivial parameterized query takes p50 ${floor.p50.toFixed(1)} ms, p95 ${floor.p95.toFixed(1)} ms`);
    console.log('\ndashboard queries over 7 days (ms)   events_1m p50/p95   events_1h p50/p95      raw p50/p95   raw/1m  raw/1h (p50)');
    const range = { from: FROM, to: TO };
    const run = (sql: string) => store.query(sql.replaceAll('${db}', db), range);
    for (const q of DASHBOARD_PAIRS) {
      const hourly = hourlyVariant(q);
      const m = await timeIt(ITER, () => run(q.rollup));
      const h = hourly ? await timeIt(ITER, () => run(hourly)) : undefined;
      const raw = await timeIt(Math.max(5, Math.floor(ITER / 3)), () => run(q.raw));
      const want = JSON.stringify(await run(q.raw));
      const same = JSON.stringify(await run(q.rollup)) === want && (!hourly || JSON.stringify(await run(hourly)) === want);
      console.log(
        `${q.name.padEnd(34)}${fmt(m.p50)}${fmt(m.p95)}  ${h ? `${fmt(h.p50)}${fmt(h.p95)}` : '       –       –'}  ` +
          `${fmt(raw.p50)}${fmt(raw.p95)}  ${(raw.p50 / m.p50).toFixed(1).padStart(6)}× ` +
          `${h ? `${(raw.p50 / h.p50).toFixed(1).padStart(6)}×` : '      –'}  ${same ? 'same rows' : 'ROWS DIFFER'}`,
      );
    }
  } finally {
    if (!values.keep) await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
    if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`kept data in ${dataDir}`);
  }
}

await main();
