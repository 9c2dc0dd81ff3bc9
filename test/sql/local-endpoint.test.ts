// The writable local endpoint forwards the insert settings a ServerStore sends (URL parameters,
// https://clickhouse.com/docs/interfaces/http "settings in the URL"): insert_deduplication_token,
// insert_deduplicate, deduplicate_blocks_in_dependent_materialized_views and
// date_time_input_format. The multi-process tests (test/ingest/multi-process.test.ts) write
// through it, so a dropped setting would turn a replayed flush into duplicates there.
// Decisive cases: a token must drop *different* data, and two tokens must keep *equal* data
// (the table's data-hash deduplication would drop it when no token arrives).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import { serveStore, type ServedStore } from '../../sql/index.ts';
import { ServerStore } from '../../sql/server-store.ts';
import { EVENT_COLUMNS, eventLine } from '../../sql/rows.ts';
import { makeEvent, testStore, type TestStore } from '../support/stores.ts';

let t: TestStore;
let ep: ServedStore;
let s: ServerStore;

before(async () => {
  t = await testStore('ep');
  ep = await serveStore(t.store, { readonly: false, token: null, advertise: false });
  s = new ServerStore({ url: ep.url, database: t.db, retentionDays: 0, retry: { retries: 0 } });
});
after(async () => {
  await s.close();
  await ep.close();
  await t.cleanup();
});

function payload(ids: string[], firstOffset: number) {
  const rows = ids.map((id, i) => makeEvent({ request_id: id, topic: 'ep', offset: String(firstOffset + i) }));
  return {
    format: 'JSONCompactEachRow',
    columns: EVENT_COLUMNS,
    body: rows.map((r, i) => eventLine(r, r.topic, r.partition, firstOffset + i)).join(''),
    rows: rows.length,
  } as const;
}

async function stored(prefix: string): Promise<{ raw: number; index: number }> {
  const [c] = await t.store.query<{ raw: number; index: number }>(
    `SELECT (SELECT count() FROM ${t.db}.events WHERE startsWith(request_id, {p:String})) AS raw,
            (SELECT toUInt64(sum(events)) FROM ${t.db}.request_index WHERE startsWith(request_id, {p:String})) AS index`,
    { p: prefix },
  );
  return { raw: Number(c!.raw), index: Number(c!.index) };
}

test('insert_deduplication_token reaches the engine: the same token drops different rows, in the table and its views', async () => {
  await s.insertPayload('events', payload(['req_tokA_1', 'req_tokA_2'], 0), { dedupToken: 'ep-token-a' });
  await s.insertPayload('events', payload(['req_tokA_3', 'req_tokA_4', 'req_tokA_5'], 10), { dedupToken: 'ep-token-a' });
  assert.deepEqual(await stored('req_tokA_'), { raw: 2, index: 2 }, "the second insert carried the first one's token: dropped everywhere");
});

test('two tokens keep identical rows twice: the token, not the data hash, decides', async () => {
  const same = payload(['req_tokB_1'], 100);
  await s.insertPayload('events', same, { dedupToken: 'ep-token-b1' });
  await s.insertPayload('events', same, { dedupToken: 'ep-token-b2' });
  assert.deepEqual(await stored('req_tokB_'), { raw: 2, index: 2 });
});

test('settings in the URL reach statements that are neither reads nor data inserts (INSERT … SELECT)', async () => {
  const client = createClient({ url: ep.url, database: t.db });
  try {
    const insert = (id: string, token: string) =>
      client.command({
        query: `INSERT INTO ${t.db}.installation (name, value) SELECT 'ep_probe', {id:String}`,
        query_params: { id },
        clickhouse_settings: { insert_deduplicate: 1, insert_deduplication_token: token },
      });
    await insert('first', 'ep-sel-1');
    await insert('second', 'ep-sel-1'); // same token, other data: dropped only if the token arrived
    await insert('first', 'ep-sel-2'); // other token, same data: kept only if the token arrived
    const rows = await t.store.query<{ value: string }>(`SELECT value FROM ${t.db}.installation WHERE name = 'ep_probe' ORDER BY value`);
    assert.deepEqual(
      rows.map((r) => r.value),
      ['first', 'first'],
    );
  } finally {
    await client.close();
  }
});

test('date_time_input_format reaches the insert: an RFC 1123 time parses only with best_effort', async () => {
  const client = createClient({ url: ep.url, database: t.db });
  try {
    const line = (fmt: string) => `${JSON.stringify({ name: `ep_dt_${fmt}`, value: 'v', created_at: 'Sat, 21 Nov 2026 10:00:00 GMT' })}\n`;
    await client.command({
      query: `INSERT INTO ${t.db}.installation (name, value, created_at) FORMAT JSONEachRow\n${line('best')}`,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
    await assert.rejects(
      client.command({
        query: `INSERT INTO ${t.db}.installation (name, value, created_at) FORMAT JSONEachRow\n${line('basic')}`,
        clickhouse_settings: { date_time_input_format: 'basic' },
      }),
    );
    const rows = await t.store.query<{ name: string; at: string }>(
      `SELECT name, toString(created_at) AS at FROM ${t.db}.installation WHERE startsWith(name, 'ep_dt_')`,
    );
    assert.deepEqual(rows, [{ name: 'ep_dt_best', at: '2026-11-21 10:00:00.000' }]);
  } finally {
    await client.close();
  }
});

test("a request's settings apply to its statement alone: the run's statements on the shared chDB session never see them", async () => {
  // chDB has one session per process, which the run's own statements share with the endpoint's:
  // a setting SET on it for a request would reach whatever runs meanwhile (log_comment: harmless, readable).
  await t.store.command(`CREATE TABLE ${t.db}.leak_probe (v String) ENGINE = MergeTree ORDER BY v`);
  const client = createClient({ url: ep.url, database: t.db });
  try {
    let done = false;
    const slow = client
      .command({
        // About a second: 20 rows, 50 ms each.
        query: `INSERT INTO ${t.db}.leak_probe SELECT toString(getSetting('log_comment')) FROM numbers(20) WHERE sleepEachRow(0.05) = 0`,
        clickhouse_settings: { log_comment: 'endpoint-request' },
      })
      .finally(() => {
        done = true;
      });
    const seen = new Map<string, number>();
    while (!done) {
      const [r] = await t.store.query<{ c: string }>(`SELECT toString(getSetting('log_comment')) AS c`);
      seen.set(r!.c, (seen.get(r!.c) ?? 0) + 1);
    }
    await slow;
    assert.ok((seen.get('') ?? 0) > 0, 'the run queried while the request ran');
    assert.deepEqual([...seen.keys()], [''], `the run's statements saw: ${JSON.stringify([...seen])}`);
    const stored = await t.store.query<{ v: string; n: string }>(`SELECT v, toString(count()) AS n FROM ${t.db}.leak_probe GROUP BY v`);
    assert.deepEqual(stored, [{ v: 'endpoint-request', n: '20' }], 'the statement itself ran with its setting');
  } finally {
    await client.close();
  }
});
