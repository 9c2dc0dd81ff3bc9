// The next questions, on data built for them (the synthetic day has no retries): clients
// retrying 400/401/403/404 or retrying 429 faster than exponential backoff from 1 s, by app,
// and requests the gateway and the client saw differently, by route — executed on chDB, checked
// against explicit counts and against the JS model. Dated relative to now (an hour back).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { alertRules, buildDashboards, expandQuery, tables } from '../../dashboards/index.ts';
import { evaluateRule } from '../../dashboards/alert-check.ts';
import { openStore, type Store } from '../../sql/index.ts';
import type { EventRow } from '../../sql/store.ts';
import { insertRows, testConfig } from '../support/stores.ts';
import { forecastPanel, normalize, retriesAgainstAdvice } from './model.ts';

const config = testConfig('dash_ops');
const DB = config.CLICKHOUSE_DATABASE;
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
const ctx = {
  fromMs: t0 - 60_000,
  toMs: t0 + 600_000,
  intervalMs: 60_000,
  variables: { channel: '$__all', source: '$__all', category: '$__all', request_id: '' },
};
let offset = 0;
function ev(o: Partial<EventRow> & { at: number; request_id: string }): EventRow {
  const status = o.http_status ?? 200;
  return {
    event_time: new Date(t0 + o.at).toISOString(),
    source: o.source ?? 'client',
    request_id: o.request_id,
    http_status: status,
    outcome: o.outcome ?? (status >= 400 ? 'error' : 'ok'),
    code: '',
    category: '',
    limit_kind: '',
    channel: '1688',
    upstream_vendor: '',
    upstream_code: '',
    upstream_sub_code: '',
    upstream_message: '',
    message: '',
    failed_offers: [],
    route: o.route ?? '/v1/procurement/orders',
    method: 'POST',
    latency_ms: 5,
    attempt: o.attempt ?? null,
    app_id: o.app_id ?? 'shop-x',
    catalog_drift: false,
    raw: '{}',
    topic: o.source === 'gateway' ? 'gateway-logs' : 'client-logs',
    partition: 0,
    offset: String(offset++),
  } as EventRow;
}
const events: EventRow[] = [
  // shop-x: r1 retried a 401 (against the advice); r2 retried a 429 after 300 ms (attempt 1 must wait 1 s) and again
  // after 1.5 s (attempt 2 must wait 2 s); r3 waited 2 s after a 429 (fine).
  ev({ at: 0, request_id: 'r1', http_status: 401, attempt: 1 }),
  ev({ at: 5000, request_id: 'r1', http_status: 401, attempt: 2 }),
  ev({ at: 10_000, request_id: 'r2', http_status: 429, attempt: 1 }),
  ev({ at: 10_300, request_id: 'r2', http_status: 429, attempt: 2 }),
  ev({ at: 11_800, request_id: 'r2', http_status: 200, attempt: 3 }),
  ev({ at: 20_000, request_id: 'r3', http_status: 429, attempt: 1 }),
  ev({ at: 22_000, request_id: 'r3', http_status: 200, attempt: 2 }),
  // shop-y: r4 retried a 500 at once (retrying 500 is advised); r5 retried a 404; r6 has no attempt numbers.
  ev({ at: 30_000, request_id: 'r4', http_status: 500, attempt: 1, app_id: 'shop-y' }),
  ev({ at: 30_100, request_id: 'r4', http_status: 200, attempt: 2, app_id: 'shop-y' }),
  ev({ at: 40_000, request_id: 'r5', http_status: 404, attempt: 1, app_id: 'shop-y' }),
  ev({ at: 41_000, request_id: 'r5', http_status: 404, attempt: 2, app_id: 'shop-y' }),
  ev({ at: 50_000, request_id: 'r6', http_status: 401, app_id: 'shop-y' }),
  ev({ at: 50_500, request_id: 'r6', http_status: 401, app_id: 'shop-y' }),
  // The gateway's side: r1 and r5 failed there too (agree); r3 ok there while the client's first attempt failed → the
  // client saw a failure the gateway did not (client_failed_gateway_ok); g1 failed on the gateway, ok for the client.
  ev({ at: 0, request_id: 'r1', source: 'gateway', http_status: 401 }),
  ev({ at: 40_000, request_id: 'r5', source: 'gateway', http_status: 404, route: '/v1/orders/{id}' }),
  ev({ at: 22_000, request_id: 'r3', source: 'gateway', http_status: 200 }),
  ev({ at: 60_000, request_id: 'g1', source: 'gateway', http_status: 502, route: '/v1/products' }),
  ev({ at: 60_500, request_id: 'g1', http_status: 200, attempt: 1 }),
];
let store: Store;
before(async () => {
  store = await openStore(config);
  await store.migrate();
  await insertRows(store, 'events', events);
});
after(async () => {
  await store?.command(`DROP DATABASE IF EXISTS ${DB} SYNC`);
  await store?.close();
});

const panel = (title: string) =>
  buildDashboards(DB)
    .flatMap((d) => d.panels)
    .find((p) => p.title === title)!;
const run = async (title: string) => normalize(await store.query(expandQuery(panel(title).targets[0]!.rawSql, ctx)));

test('clients retrying against the advice: by app, with an example request to click', async () => {
  const rows = await run('Clients retrying against the advice, by app');
  assert.deepEqual(rows, [
    { app_id: 'shop-x', non_retryable_retried: 1, fast_429_retries: 2, example_request_id: 'r1' },
    { app_id: 'shop-y', non_retryable_retried: 1, fast_429_retries: 0, example_request_id: 'r5' },
  ]);
  assert.deepEqual(rows, normalize(retriesAgainstAdvice(events.filter((e) => e.source === 'client' && e.attempt !== null))));
  const link = JSON.stringify(panel('Clients retrying against the advice, by app').fieldConfig!.overrides);
  assert.match(link, /example_request_id/);
  assert.match(link, /\/d\/faultline-request-lookup\/request-lookup\?var-request_id=\$\{__value\.raw\}/);
});

test("gateway and client disagree: by the gateway's route, both directions", async () => {
  assert.deepEqual(await run('Gateway and client disagree, by route'), [
    { route: '/v1/procurement/orders', client_failed_gateway_ok: 1, gateway_failed_client_ok: 0, example_request_id: 'r3' },
    { route: '/v1/products', client_failed_gateway_ok: 0, gateway_failed_client_ok: 1, example_request_id: 'g1' },
  ]);
});

describe('quota forecast: the daily quota learned from earlier days, when today runs out, and the 2-hour alert', () => {
  const DAY = 86_400_000;
  const H = 3_600_000;
  // Four whole UTC days ending two days ago: three of history, then "today".
  const d0 = Math.floor(Date.now() / DAY) * DAY - 5 * DAY;
  const today = d0 + 3 * DAY;
  const rows: EventRow[] = [];
  const gw = (ms: number, limit = false): EventRow =>
    ({
      ...ev({ at: ms - t0, request_id: `q${rows.length}`, source: 'gateway', http_status: limit ? 429 : 200 }),
      channel: '1688',
      limit_kind: limit ? 'quota' : '',
      code: limit ? 'QUOTA_EXCEEDED' : '',
      category: limit ? 'RATE_LIMIT_ERROR' : '',
    }) as EventRow;
  // History: 10 calls a minute until the first QUOTA_EXCEEDED (10:00, 10:00, 09:00), then quota errors until noon.
  for (const [day, firstHitH] of [
    [d0, 10],
    [d0 + DAY, 10],
    [d0 + 2 * DAY, 9],
  ] as const) {
    for (let m = 0; m < firstHitH * 60; m++) for (let k = 0; k < 10; k++) rows.push(gw(day + m * 60_000 + k * 5000));
    for (let m = firstHitH * 60; m < 12 * 60; m++) for (let k = 0; k < 5; k++) rows.push(gw(day + m * 60_000 + k * 5000, true));
  }
  // A stray QUOTA_EXCEEDED at 03:00 on the first day (one app's own quota) is not the day's exhaustion.
  rows.push(gw(d0 + 3 * H + 30_000, true));
  // Today: 5 calls a minute from midnight to 17:00; the learned quota (5,400) runs out at 18:00.
  for (let m = 0; m < 17 * 60; m++) for (let k = 0; k < 5; k++) rows.push(gw(today + m * 60_000 + k * 7000));
  // Same store and database as above (one chDB data directory per process); the retry events
  // lie an hour back, outside these days.
  before(async () => {
    for (let i = 0; i < rows.length; i += 20_000) await insertRows(store, 'events', rows.slice(i, i + 20_000));
  });
  const forecastAt = async (atMs: number, tz = 'UTC') =>
    normalize(
      await store.query(
        expandQuery(
          buildDashboards(DB, { quotaTz: tz })
            .flatMap((d) => d.panels)
            .find((p) => p.title === 'Quota forecast (today)')!.targets[0]!.rawSql,
          { fromMs: atMs - H, toMs: atMs, intervalMs: 60_000, variables: { channel: '$__all', source: '$__all', category: '$__all' } },
        ),
      ),
    );

  test('at 14:00: quota 5,400 (the smallest day), 4,205 used (the 14:00 minute counts), 5 a minute: runs out at 17:59', async () => {
    assert.deepEqual(await forecastAt(today + 14 * H), [
      {
        channel: '1688',
        daily_quota: 5400,
        used_today: 4205,
        calls_per_min: 5,
        runs_out_at: today + 17 * H + 59 * 60_000,
        state: 'runs out',
      },
    ]);
  });

  test('in Asia/Shanghai quota days the same rows give other days: SQL equals the JS model', async () => {
    // 16:30 UTC is 00:30 in Shanghai: that quota day is half an hour old.
    const at = today + 16.5 * H;
    const model = forecastPanel(rows, at, 8);
    assert.deepEqual(await forecastAt(at, 'Asia/Shanghai'), normalize(model));
    assert.equal(model[0]!.used_today, 155);
    assert.equal((await forecastAt(at))[0]!.used_today, 4955);
  });

  test('the rule: 239 minutes left at 14:00 (quiet), 89 at 16:30 (fires below 120)', async () => {
    const rule = alertRules(tables(DB)).find((r) => r.uid === 'faultline-quota-runs-out')!;
    assert.equal(rule.op, 'lt');
    const quiet = await evaluateRule(store, rule, today + 14 * H);
    assert.deepEqual(
      quiet.series.map((s) => [s.labels.channel, s.value, s.firing]),
      [['1688', 239, false]],
    );
    const fires = await evaluateRule(store, rule, today + 16.5 * H);
    assert.deepEqual(
      fires.series.map((s) => [s.labels.channel, s.value, s.firing]),
      [['1688', 89, true]],
    );
  });
});
