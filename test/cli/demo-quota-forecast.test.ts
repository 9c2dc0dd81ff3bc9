// The demo's quota forecast comes from the data: earlier days of 1688 calls written by the
// generator (ingest/generator/quota-history.ts) into the rollups of a chDB store, "today" the
// same generator's calls with no quota spent, and the forecast an hour before the quota incident
// (cli/demo/quota-forecast.ts, the dashboard's SQL with the plugin's macros). The runs-out time
// is checked against the rows themselves, and moves when the quota in the history changes.
// Dated 2026-11-21 and before: fixed dates no TTL can expire (the rollups have none).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentsOf, quotaHistory, type QuotaHistory } from '../../ingest/generator/index.ts';
import { quotaForecastBefore, type QuotaForecast } from '../../cli/demo/quota-forecast.ts';
import { loadConfig } from '../../lib/config.ts';
import { insertCallHistory, openStore } from '../../sql/index.ts';
import { testDataDir, uniqueDatabase } from '../support/stores.ts';

const START = Date.parse('2026-11-21T00:00:00Z');
const DAY = 86_400_000;
const MIN = 60_000;
const BASE = { seed: 9, startMs: START, durationMs: DAY, count: 40_000 };
const incidents = incidentsOf(BASE);
const incidentStart = incidents.find((i) => i.name === 'quota_exhausted')!.startMs;
// "Today": the same traffic one day later, with a quota it never reaches.
const today = quotaHistory({ ...BASE, startMs: START + DAY, days: 1, quota: 10_000_000 });

async function forecastWith(name: string, history: QuotaHistory): Promise<QuotaForecast> {
  // A database of its own in the process's one chDB directory (test/support/stores.ts).
  const db = uniqueDatabase(name);
  const config = loadConfig({ FAULTLINE_DATA: testDataDir(), CLICKHOUSE_DATABASE: db });
  const store = await openStore(config);
  try {
    await store.migrate();
    await insertCallHistory(store, db, history.rows);
    await insertCallHistory(store, db, today.rows);
    const f = await quotaForecastBefore(store, config, incidents, DAY, history);
    assert.ok(f);
    return f;
  } finally {
    await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
  }
}

/** The forecast computed from the generated rows in JS: quota = fewest calls before a day's first refused minute. */
function expected(history: QuotaHistory, atMs: number) {
  const sum = (rows: QuotaHistory['rows'], f: (m: number) => boolean) => rows.filter((r) => f(r.minute)).reduce((s, r) => s + r.events, 0);
  const quota = Math.min(
    ...history.days.map((d) => sum(history.rows, (m) => m >= d.startMs && m < Math.floor(d.exhaustedAtMs! / MIN) * MIN)),
  );
  const used = sum(today.rows, (m) => m >= START && m <= atMs);
  const lastHour = sum(today.rows, (m) => m > atMs - 3_600_000 && m <= atMs);
  return { quota, used, lastHour, runsOutAtMs: atMs + Math.trunc((Math.max(quota - used, 0) * 3600) / lastHour) * 1000 };
}

test("an hour before the quota incident: the quota learned from the earlier days, the time it runs out from today's rate", async () => {
  const history = quotaHistory(BASE);
  const f = await forecastWith('fc_default', history);
  assert.equal(f.atMs, incidentStart - 3_600_000);
  const e = expected(history, f.atMs);
  assert.deepEqual(
    f.channels.map((c) => ({
      channel: c.channel,
      quota: c.dailyQuota,
      days: c.learnedDays,
      used: c.usedToday,
      lastHour: c.callsLastHour,
      at: c.runsOutAtMs,
    })),
    [{ channel: '1688', quota: e.quota, days: 3, used: e.used, lastHour: e.lastHour, at: e.runsOutAtMs }],
  );
  // The generated quota was spent near 17:00 on the earlier days; today's traffic is alike, so the forecast says about 17:00.
  assert.ok(Math.abs(e.runsOutAtMs - incidentStart) < 20 * MIN, new Date(e.runsOutAtMs).toISOString());
});

test('change the quota in the generated history and the forecast moves with it', async () => {
  const base = quotaHistory(BASE);
  const [lower, higher] = [
    quotaHistory({ ...BASE, quota: Math.round(base.quota * 0.95) }),
    quotaHistory({ ...BASE, quota: Math.round(base.quota * 1.05) }),
  ];
  const fl = await forecastWith('fc_lower', lower);
  const fh = await forecastWith('fc_higher', higher);
  const el = expected(lower, fl.atMs);
  const eh = expected(higher, fh.atMs);
  assert.equal(fl.channels[0]!.runsOutAtMs, el.runsOutAtMs);
  assert.equal(fh.channels[0]!.runsOutAtMs, eh.runsOutAtMs);
  // 5 % of a day's quota is some 40 minutes of afternoon calls either way.
  assert.ok(el.runsOutAtMs < incidentStart - 20 * MIN, `lower quota: ${new Date(el.runsOutAtMs).toISOString()}`);
  assert.ok(eh.runsOutAtMs > incidentStart + 20 * MIN, `higher quota: ${new Date(eh.runsOutAtMs).toISOString()}`);
  assert.equal(fl.history.quota, lower.quota);
});
