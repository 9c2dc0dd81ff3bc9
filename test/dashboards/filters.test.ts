// Multi-value filters with values that can break SQL: channel values holding `'` and `\`
// (and one that tries to inject) select exactly their rows on chDB, in every panel of every
// dashboard, through Grafana's `percentencode` format (dashboards/panels.ts `selection`).
// The plugin's documented `${var:singlequote}` is run beside it to show why it is not used:
// Grafana escapes `'` as `\'` and leaves `\` alone (grafana/scenes formatRegistry.ts).
// Events are dated relative to now (two hours back: no TTL can expire them).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDashboards, tables } from '../../dashboards/index.ts';
import { expandQuery } from '../../dashboards/macros.ts';
import { F } from '../../dashboards/panels.ts';
import { openStore, type Store } from '../../sql/index.ts';
import type { EventRow } from '../../sql/store.ts';
import { insertRows, testConfig } from '../support/stores.ts';

const config = testConfig('dash_filters');
const DB = config.CLICKHOUSE_DATABASE;
const MIN = 60_000;
const start = Math.floor(Date.now() / MIN) * MIN - 2 * 3_600_000;
const ctx = { fromMs: start - MIN, toMs: start + 60 * MIN, intervalMs: 60_000 };
const CHANNELS = ['1688', "it's", 'back\\slash', 'trail\\', "x\\' OR 1=1 --", 'taobao'];
/** Events per channel: its index + 1, so every selection has a distinct total. */
const countOf = (c: string) => CHANNELS.indexOf(c) + 1;
let store: Store;

function event(i: number, channel: string): EventRow {
  return {
    event_time: new Date(start + i * 1000).toISOString(),
    source: 'gateway',
    request_id: `req_f_${channel.length}_${i}`,
    http_status: 500,
    outcome: 'error',
    code: 'INTERNAL_ERROR',
    category: 'INTERNAL_ERROR',
    limit_kind: '',
    channel,
    upstream_vendor: '',
    upstream_code: '',
    upstream_sub_code: '',
    upstream_message: '',
    message: 'boom',
    failed_offers: [],
    route: '/v1/x',
    method: 'GET',
    latency_ms: 5,
    attempt: 1,
    app_id: 'shop-a',
    catalog_drift: false,
    raw: '{}',
    topic: 'gateway-logs',
    partition: 0,
    offset: String(i),
  } as EventRow;
}

before(async () => {
  store = await openStore(config);
  await store.migrate();
  let i = 0;
  await insertRows(
    store,
    'events',
    CHANNELS.flatMap((c) => Array.from({ length: countOf(c) }, () => event(i++, c))),
  );
});
after(async () => {
  await store?.command(`DROP DATABASE IF EXISTS ${DB} SYNC`);
  await store?.close();
});

const t = tables(DB);
const byChannel = (filter: string) =>
  `SELECT channel, sum(events) AS n FROM ${t.events1m} WHERE $__timeFilter(minute) AND ${filter} GROUP BY channel ORDER BY channel`;
const selections: string[][] = [["it's"], ['back\\slash', 'trail\\'], ["x\\' OR 1=1 --"], ["it's", "x\\' OR 1=1 --", '1688'], ['trail\\']];

describe('percentencode selections', () => {
  for (const sel of selections) {
    test(`channel = ${JSON.stringify(sel)} selects exactly those channels`, async () => {
      const rows = await store.query<{ channel: string; n: number }>(
        expandQuery(byChannel(F.channel), { ...ctx, variables: { channel: sel } }),
      );
      assert.deepEqual(
        rows.map((r) => [r.channel, Number(r.n)]),
        [...sel].sort().map((c) => [c, countOf(c)]),
      );
    });
  }

  test('every panel of every dashboard runs with such a selection; "Events and errors" counts only it', async () => {
    const sel = ["it's", 'trail\\', "x\\' OR 1=1 --"];
    const variables = { channel: sel, source: ['gateway'], category: ['INTERNAL_ERROR'], request_id: "x\\'" };
    for (const d of buildDashboards(DB)) {
      for (const p of d.panels) {
        for (const target of p.targets) {
          const rows = await store.query(expandQuery(target.rawSql, { ...ctx, variables }));
          if (p.title === 'Events and errors') {
            const want = sel.reduce((s, c) => s + countOf(c), 0);
            assert.deepEqual(
              rows.map((r) => [Number(r.all_events), Number(r.errors)]),
              [[want, want]],
            );
          }
        }
      }
    }
  });
});

describe('why not ${var:singlequote}', () => {
  const singlequote = '$__conditionalAll(channel IN (${channel:singlequote}), $channel)';
  test("a quote alone works; a trailing backslash breaks the query, and `x\\' OR 1=1 --` escapes the literal", async () => {
    const ok = await store.query<{ channel: string }>(expandQuery(byChannel(singlequote), { ...ctx, variables: { channel: ["it's"] } }));
    assert.deepEqual(
      ok.map((r) => r.channel),
      ["it's"],
    );
    await assert.rejects(store.query(expandQuery(byChannel(singlequote), { ...ctx, variables: { channel: ['trail\\'] } })));
    const injected = await store
      .query<{ channel: string }>(expandQuery(byChannel(singlequote), { ...ctx, variables: { channel: ["x\\' OR 1=1 --"] } }))
      .then(
        (rows) => rows.map((r) => r.channel),
        (err: unknown) => `error: ${String(err).slice(0, 60)}`,
      );
    assert.notDeepEqual(injected, ["x\\' OR 1=1 --"]);
  });
});
