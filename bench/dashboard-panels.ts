// Generated dashboard panels over 7 days on embedded chDB: the panel SQL exactly as Grafana
// runs it (macros expanded for a 7-day range and a 1-hour interval, All selected), which reads
// events_1h for the whole hours and events_1m for the partial hour at the start; the same SQL
// with the hourly switch forced off (events_1m only); and the same SQL over the raw events.
//   node --import tsx bench/dashboard-panels.ts [--rows N] [--iterations N]
// Prints p50/p95 and the ratios, and whether the three give the same rows. Not a timed test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDashboards } from '../dashboards/index.ts';
import { expandQuery } from '../dashboards/macros.ts';
import { hourlyCondition } from '../dashboards/rollup.ts';
import { loadConfig } from '../lib/config.ts';
import { openStore, type Store } from '../sql/index.ts';
import { insertBulkEvents } from '../support/bulk-events.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, iterations: { type: 'string' } } });
const ROWS = Number(values.rows ?? 10_000_000);
const ITER = Number(values.iterations ?? 30);
const END = Date.parse('2026-11-22T00:00:00.000Z');
// "Last 7 days" at 00:20: the first 40 minutes are a partial hour (read from events_1m). The
// generated events end before END, so the raw filter on event_time and the rollup filter on
// minute select the same events.
const CTX = {
  fromMs: END - 7 * 86_400_000 + 20 * 60_000,
  toMs: END + 20 * 60_000,
  intervalMs: 3_600_000,
  variables: { channel: '$__all', source: '$__all', category: '$__all' },
};
const PANELS = [
  'Error rate',
  'Top error codes',
  'Error rate by category',
  'Limit hits by kind',
  'Upstream errors by vendor',
  'Taobao call-limit codes (4–8)',
];

/** events with the columns of events_1m, one row per event: the raw way to the same answer. */
const rawAsRollup = (db: string) => `(SELECT toStartOfMinute(event_time) AS minute, source, channel, app_id, outcome, category, code,
  http_status, limit_kind, upstream_vendor, upstream_code, upstream_sub_code, catalog_drift, toUInt64(1) AS events,
  toUInt64(ifNull(latency_ms, 0)) AS latency_ms_sum, toUInt64(latency_ms IS NOT NULL) AS latency_ms_count FROM ${db}.events)`;

interface Stat {
  p50: number;
  p95: number;
}
async function timeIt(n: number, fn: () => Promise<unknown>): Promise<Stat> {
  await fn();
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    s.push(performance.now() - t0);
  }
  s.sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: q(0.5), p95: q(0.95) };
}
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)).padStart(8);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-panels-'));
  const db = 'bench_panels';
  const store: Store = await openStore({ ...loadConfig({}), FAULTLINE_DATA: dir, CLICKHOUSE_DATABASE: db });
  try {
    await store.migrate();
    console.log(`generating ${ROWS.toLocaleString('en')} events over 7 days in chDB …`);
    await insertBulkEvents(store, db, { rows: ROWS, days: 7, end: new Date(END).toISOString() });
    const off = (sql: string) => sql.replaceAll(hourlyCondition('interval'), '0 = 1').replaceAll(hourlyCondition('range'), '0 = 1');
    const panels = buildDashboards(db)
      .flatMap((d) => d.panels)
      .filter((p) => PANELS.includes(p.title));
    console.log(`\npanel SQL over 7 days (ms)        as generated p50/p95   1m only p50/p95   raw p50/p95   raw/gen  raw/1m (p50)`);
    for (const p of panels) {
      const raw = p.targets[0]!.rawSql;
      const gen = expandQuery(raw, CTX);
      const minute = expandQuery(off(raw), CTX);
      const rawSql = minute.replace(`FROM ${db}.events_1m`, `FROM ${rawAsRollup(db)}`);
      const g = await timeIt(ITER, () => store.query(gen));
      const m = await timeIt(ITER, () => store.query(minute));
      const r = await timeIt(Math.max(5, Math.floor(ITER / 3)), () => store.query(rawSql));
      const want = JSON.stringify(await store.query(rawSql));
      const same = JSON.stringify(await store.query(gen)) === want && JSON.stringify(await store.query(minute)) === want;
      console.log(
        `${p.title.padEnd(32)}${fmt(g.p50)}${fmt(g.p95)}  ${fmt(m.p50)}${fmt(m.p95)}  ${fmt(r.p50)}${fmt(r.p95)}  ` +
          `${(r.p50 / g.p50).toFixed(1).padStart(6)}× ${(r.p50 / m.p50).toFixed(1).padStart(6)}×  ${same ? 'same rows' : 'ROWS DIFFER'}`,
      );
    }
  } finally {
    await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
