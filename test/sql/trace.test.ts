import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { traceRequest } from '../../sql/trace.ts';
import { bulkRequestIdSql, insertBulkEvents } from '../../support/bulk-events.ts';
import { insertRows, makeEvent, makeReject, testStore, type TestStore } from '../support/stores.ts';

let t: TestStore;
const ROWS = 1_000_000;

before(async () => {
  t = await testStore('trace');
  await insertBulkEvents(t.store, t.db, { rows: ROWS, perRequest: 3 });
});
after(() => t.cleanup());

test('trace finds exactly the events of one id among 1,000,000 rows', async () => {
  const [first] = await t.store.query<{ n: number; id: string }>(
    `SELECT count() AS n, ${bulkRequestIdSql('toUInt64(424242)', 3)} AS id FROM ${t.db}.events`,
  );
  const { n, id } = first!;
  assert.ok(n >= ROWS);
  const expected = await t.store.query<{ offset: string }>(
    `SELECT toString(offset) AS offset FROM ${t.db}.events WHERE request_id = {id:String} ORDER BY event_time`,
    { id },
  );
  assert.equal(expected.length, 3);
  const started = performance.now();
  const got = await traceRequest(t.store, t.db, id);
  const ms = performance.now() - started;
  assert.deepEqual(
    got.map((e) => e.kind),
    ['event', 'event', 'event'],
  );
  assert.deepEqual(
    got.map((e) => e.offset),
    expected.map((e) => e.offset),
  );
  for (const e of got) assert.equal(e.kind === 'event' && e.request_id, id);
  assert.ok(ms < 2000, `lookup took ${ms.toFixed(0)} ms`);
});

test('trace merges events and rejects of both sources in time order, and ignores ids that merely share a prefix', async () => {
  const id = 'req_merge7';
  await insertRows(t.store, 'events', [
    makeEvent({
      request_id: id,
      event_time: '2026-11-21T10:00:03.000Z',
      source: 'client',
      upstream_vendor: 'taobao',
      upstream_code: '7',
      offset: '1',
    }),
    makeEvent({ request_id: id, event_time: '2026-11-21T10:00:01.000Z', source: 'gateway', offset: '2' }),
    makeEvent({ request_id: `${id}8`, event_time: '2026-11-21T10:00:02.000Z', offset: '3' }),
  ]);
  await insertRows(t.store, 'rejects', [
    makeReject({ head: `{"request_id":"${id}", broken`, transport_time: '2026-11-21T10:00:02.000Z', offset: '4' }),
    makeReject({ head: `{"request_id":"${id}8", broken`, transport_time: '2026-11-21T10:00:02.500Z', offset: '5' }),
  ]);
  const got = await traceRequest(t.store, t.db, id);
  assert.deepEqual(
    got.map((e) => [e.kind, e.time, e.source]),
    [
      ['event', '2026-11-21T10:00:01.000Z', 'gateway'],
      ['reject', '2026-11-21T10:00:02.000Z', 'client'],
      ['event', '2026-11-21T10:00:03.000Z', 'client'],
    ],
  );
  const up = got[2]!;
  assert.ok(up.kind === 'event' && up.upstream_vendor === 'taobao' && up.upstream_code === '7');
});

const HOSTILE = [
  "x' OR 1=1 --",
  "' OR '1'='1",
  'req_\\',
  "req_\\' OR 1=1 --",
  '%',
  '.*',
  'req_%',
  '{id:String}',
  'req_ünï 商品 🚀',
  "'; DROP TABLE events; --",
  '"quoted"\ttab\nnewline',
];

test('hostile ids return no foreign rows and no SQL error, and find their own rows exactly', async () => {
  for (const id of HOSTILE) {
    assert.deepEqual(await traceRequest(t.store, t.db, id), [], `nothing for ${JSON.stringify(id)} before insert`);
  }
  await insertRows(
    t.store,
    'events',
    HOSTILE.map((id, i) => makeEvent({ request_id: id, offset: String(9000 + i) })),
  );
  await insertRows(
    t.store,
    'rejects',
    HOSTILE.map((id, i) => makeReject({ head: `line with ${id} in it`, offset: String(9100 + i) })),
  );
  for (const [i, id] of HOSTILE.entries()) {
    const got = await traceRequest(t.store, t.db, id);
    const events = got.filter((e) => e.kind === 'event');
    assert.deepEqual(
      events.map((e) => e.offset),
      [String(9000 + i)],
      `events for ${JSON.stringify(id)}`,
    );
    for (const e of events) assert.equal(e.kind === 'event' && e.request_id, id);
    // Rejects are matched as a whole token of the head: ids with separators inside (spaces) can still match.
    for (const r of got.filter((e) => e.kind === 'reject')) assert.ok(r.kind === 'reject' && r.head.includes(id));
  }
  const [count] = await t.store.query<{ n: number }>(`SELECT count() AS n FROM ${t.db}.events`);
  assert.equal(count!.n, ROWS + 3 + HOSTILE.length, 'no table was touched');
});

test('filters with user values go through parameters', async () => {
  const rows = await t.store.query(`SELECT count() AS n FROM ${t.db}.events WHERE channel = {ch:String}`, { ch: "1688' OR 1=1 --" });
  assert.deepEqual(rows, [{ n: 0 }]);
  const some = await t.store.query<{ n: number }>(`SELECT count() AS n FROM ${t.db}.events WHERE channel IN {chs:Array(String)}`, {
    chs: ['1688', "x'y"],
  });
  const [direct] = await t.store.query<{ n: number }>(`SELECT countIf(channel = '1688' OR channel = 'x\\'y') AS n FROM ${t.db}.events`);
  assert.ok(direct!.n > 100_000);
  assert.equal(some[0]!.n, direct!.n);
});
