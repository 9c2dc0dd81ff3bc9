// The server backend (@clickhouse/client over HTTP) against real ClickHouse SQL: chDB behind
// sql/local-endpoint.ts, with a fault-injecting proxy in between.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../lib/errors.ts';
import { serveStore, type ServedStore } from '../../sql/index.ts';
import { ServerStore } from '../../sql/server-store.ts';
import type { EventRow } from '../../sql/store.ts';
import { EVENT_COLUMNS, eventLine } from '../../sql/rows.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { insertRows, makeEvent, testStore, uniqueDatabase, type TestStore } from '../support/stores.ts';

const TOKEN = 'test-token';
let t: TestStore;
let ep: ServedStore;
let proxy: FaultProxy;
let retries: { code: string; attempt: number }[] = [];

function server(db: string, url = proxy.url, password = TOKEN): ServerStore {
  return new ServerStore({
    url,
    password,
    database: db,
    retentionDays: 0,
    requestTimeoutMs: 2500, // generous: a loaded CI machine must not time out normal requests
    retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 40 },
    onRetry: (err, attempt) => retries.push({ code: err.code, attempt }),
  });
}

/** Requests the proxy saw for statements other than pings. */
const requests = () => proxy.log.filter((r) => !r.path.startsWith('/ping'));

before(async () => {
  t = await testStore('srv');
  ep = await serveStore(t.store, { readonly: false, token: TOKEN, advertise: false });
  proxy = await startFaultProxy(ep.url);
});
after(async () => {
  await proxy.close();
  await ep.close();
  await t.cleanup();
});

function reset(): void {
  proxy.faults.length = 0;
  proxy.log.length = 0;
  retries = [];
}

const COLS = `event_time, source, request_id, http_status, outcome, code, category, limit_kind, channel, upstream_vendor,
  upstream_code, upstream_sub_code, upstream_message, message, failed_offers, route, method, latency_ms, attempt,
  app_id, catalog_drift, raw, topic, partition, toString(offset) AS offset`;

test('ping, migrate twice, insert and read back field for field through the HTTP interface', async () => {
  const db = uniqueDatabase('srvmig');
  const s = server(db);
  try {
    assert.equal(await s.ping(), true);
    const applied = await s.migrate();
    assert.ok(applied.includes('0001_events') && applied.includes('0005_request_lookup'));
    assert.deepEqual(await s.migrate(), []);
    const rows: EventRow[] = [
      makeEvent({
        request_id: "x' OR 1=1 --",
        upstream_message: 'back\\slash ünï 商品\nnext',
        failed_offers: [{ offer_id: 'o', spec_id: 's', error_code: 'E', error_message: "it's" }],
      }),
      makeEvent({ request_id: 'req_2', latency_ms: null, attempt: null, catalog_drift: true, offset: '9007199254740993' }),
    ];
    await insertRows(s, 'events', rows, { dedupToken: 'srv-1' });
    assert.deepEqual(await s.query(`SELECT ${COLS} FROM ${db}.events ORDER BY request_id DESC`), rows);
    // the same rows as the embedded backend reads them: both backends speak the same JSON
    assert.deepEqual(await t.store.query(`SELECT ${COLS} FROM ${db}.events ORDER BY request_id DESC`), rows);
    const hit = await s.query<{ n: number }>(`SELECT count() AS n FROM ${db}.events WHERE request_id = {id:String}`, {
      id: "x' OR 1=1 --",
    });
    assert.deepEqual(hit, [{ n: 1 }]);
    const arr = await s.query(`SELECT count() AS n FROM ${db}.events WHERE request_id IN {ids:Array(String)}`, {
      ids: ["x' OR 1=1 --", 'req_2', "a\\'b"],
    });
    assert.deepEqual(arr, [{ n: 2 }]);
    assert.deepEqual(await s.query('SELECT count() AS n FROM events'), [{ n: 2 }], 'unqualified names resolve in the store database');
    // pre-serialised compact rows with a column list, sent as they are; a repeated token is dropped
    const more = [
      makeEvent({
        request_id: 'req_0pl',
        failed_offers: [{ offer_id: 'p', spec_id: '', error_code: 'E', error_message: 'x"y' }],
        offset: '5',
      }),
    ];
    const payload = {
      format: 'JSONCompactEachRow',
      columns: EVENT_COLUMNS,
      body: more.map((r) => eventLine(r, r.topic, r.partition, 5)).join(''),
      rows: 1,
    } as const;
    await s.insertPayload('events', payload, { dedupToken: 'srv-pl' });
    await s.insertPayload('events', payload, { dedupToken: 'srv-pl' });
    assert.deepEqual(await s.query(`SELECT ${COLS} FROM ${db}.events WHERE request_id = 'req_0pl'`), more);
  } finally {
    await s.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await s.close();
  }
});

test('5xx answers are retried with backoff until the query succeeds', async () => {
  const s = server(t.db);
  try {
    reset();
    proxy.faults.push({ kind: '5xx', status: 503 }, { kind: '5xx', status: 502 });
    assert.deepEqual(await s.query('SELECT 41 + 1 AS x'), [{ x: 42 }]);
    assert.equal(requests().length, 3);
    assert.deepEqual(
      retries.map((r) => r.attempt),
      [1, 2],
    );
  } finally {
    await s.close();
  }
});

test('a reset connection and a lost response are retried; the insert lands exactly once', async () => {
  const s = server(t.db);
  try {
    reset();
    proxy.faults.push({ kind: 'reset' }, { kind: 'lost-response' });
    await insertRows(s, 'events', [makeEvent({ request_id: 'req_once' })]); // no caller token: one per call
    assert.equal(requests().length, 3, 'reset, executed-but-lost, then the answered retry');
    const [c] = await t.store.query<{ raw: number; rollup: number }>(
      `SELECT (SELECT count() FROM ${t.db}.events WHERE request_id = 'req_once') AS raw,
              (SELECT sum(events) FROM ${t.db}.request_index WHERE request_id = 'req_once') AS rollup`,
    );
    assert.deepEqual(c, { raw: 1, rollup: 1 });
  } finally {
    await s.close();
  }
});

test('a slow response times out and is retried', async () => {
  const s = server(t.db);
  try {
    reset();
    proxy.faults.push({ kind: 'slow', ms: 6000 }); // well past the 2.5 s timeout
    assert.deepEqual(await s.query('SELECT 1 AS one'), [{ one: 1 }]);
    assert.equal(requests().length, 2);
    assert.equal(retries.length, 1);
  } finally {
    await s.close();
  }
});

test('bad data and bad SQL are not retried and carry the ClickHouse code and type', async () => {
  const s = server(t.db);
  try {
    reset();
    await assert.rejects(insertRows(s, 'events', [makeEvent({ event_time: 'yesterday-ish' })]), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.retriable, false);
      assert.equal(err.clickhouseCode, 41);
      assert.equal(err.clickhouseType, 'CANNOT_PARSE_DATETIME');
      return true;
    });
    await assert.rejects(s.query('SELEC 1'), (err: unknown) => err instanceof StoreError && err.clickhouseCode === 62 && !err.retriable);
    await assert.rejects(
      s.query('SELECT {n:UInt8} AS n', { n: 'not a number' }),
      (err: unknown) => err instanceof StoreError && err.clickhouseCode === 457,
    );
    assert.equal(requests().length, 3, 'one request each');
    assert.equal(retries.length, 0);
  } finally {
    await s.close();
  }
});

test('transient faults beyond the retry budget surface as a retriable StoreError', async () => {
  const s = server(t.db);
  try {
    reset();
    for (let i = 0; i < 6; i++) proxy.faults.push({ kind: '5xx', status: 500 });
    await assert.rejects(s.query('SELECT 1'), (err: unknown) => err instanceof StoreError && err.retriable);
    assert.equal(requests().length, 4, 'first attempt + 3 retries');
  } finally {
    await s.close();
  }
});

test('a wrong password is refused (AUTHENTICATION_FAILED) and not retried', async () => {
  const s = server(t.db, proxy.url, 'wrong');
  try {
    reset();
    await assert.rejects(s.query('SELECT 1'), (err: unknown) => err instanceof StoreError && err.clickhouseCode === 516 && !err.retriable);
    assert.equal(requests().length, 1);
  } finally {
    await s.close();
  }
});

test('a read-only endpoint answers reads and refuses writes and multi-statements', async () => {
  const ro = await serveStore(t.store, { readonly: true, token: null, advertise: false });
  const s = server(t.db, ro.url);
  try {
    assert.ok((await s.query<{ n: number }>(`SELECT count() AS n FROM ${t.db}.events`))[0]!.n >= 1);
    await assert.rejects(
      insertRows(s, 'events', [makeEvent()]),
      (err: unknown) => err instanceof StoreError && err.clickhouseCode === 164 && !err.retriable,
    );
    await assert.rejects(s.command(`DROP TABLE ${t.db}.events`), (err: unknown) => err instanceof StoreError && err.clickhouseCode === 164);
    await assert.rejects(
      s.query(`SELECT 1; DROP TABLE ${t.db}.events`),
      (err: unknown) => err instanceof StoreError && err.clickhouseCode === 62,
    );
    const [exists] = await t.store.query<{ n: number }>(
      `SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'events'`,
      { db: t.db },
    );
    assert.equal(exists!.n, 1);
  } finally {
    await s.close();
    await ro.close();
  }
});
