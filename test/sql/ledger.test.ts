// The ledger and the delivery protocol's statements (sql/ledger.ts) on chDB: ledger rows
// deduplicated by token, the exact-range lookup, the stored rows (offset, record_index) of a range
// across events and rejects, and the reconciliation that `faultline status` prints (a range
// ledgered twice counts once; a duplicate row shows as a positive difference; a record of
// several rows, an OTLP message, reconciles as one record and its rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryTarget, reconcile, reconciled, type LedgerRow } from '../../sql/ledger.ts';
import { eventPayload, eventTsvLine, rejectPayload, rejectTsvLine } from '../../sql/row-format.ts';
import { insertRows, makeEvent, makeReject, testStore } from '../support/stores.ts';

const recent = () => new Date(Date.now() - 3_600_000).toISOString(); // inside any TTL
const row = (first: number, last: number, over: Partial<LedgerRow> = {}): LedgerRow => ({
  topic: 'gw',
  partition: 0,
  first_offset: first,
  last_offset: last,
  records: last - first + 1,
  events: last - first,
  rejects: 1,
  lag: 7,
  consumer: 'test',
  ...over,
});

test('ledger rows, range lookups and reconciliation read what the protocol wrote', async (t) => {
  const ts = await testStore('ledger');
  t.after(() => ts.cleanup());
  const target = deliveryTarget(ts.store);
  await target.insertLedger([row(0, 4), row(5, 9)], 'fl1:ledger:a');
  await target.insertLedger([row(0, 4), row(5, 9)], 'fl1:ledger:a'); // a retry: dropped
  await target.insertLedger([row(5, 9)], 'fl1:ledger:b'); // the same range again (a replay that raced): one range
  assert.equal(await target.hasLedgerRange({ topic: 'gw', partition: 0, first: 5, last: 9 }), true);
  assert.equal(await target.hasLedgerRange({ topic: 'gw', partition: 0, first: 5, last: 8 }), false, 'exact ranges only');
  assert.equal(await target.hasLedgerRange({ topic: 'gw', partition: 1, first: 0, last: 4 }), false);

  const t0 = recent();
  await insertRows(
    ts.store,
    'events',
    Array.from({ length: 8 }, (_, i) =>
      makeEvent({ event_time: t0, topic: 'gw', partition: 0, offset: String(i < 4 ? i : i + 1), request_id: `req_l${i}` }),
    ),
  );
  await insertRows(ts.store, 'rejects', [
    makeReject({ transport_time: t0, topic: 'gw', partition: 0, offset: '4' }),
    makeReject({ transport_time: t0, topic: 'gw', partition: 0, offset: '9' }),
  ]);
  assert.deepEqual([...(await target.storedRows({ topic: 'gw', partition: 0, first: 3, last: 6 }))].sort(), ['3', '4', '5', '6']);
  assert.deepEqual([...(await target.storedRows({ topic: 'gw', partition: 1, first: 0, last: 9 }))], []);

  const [p] = await reconcile(ts.store);
  assert.deepEqual(
    { ...p, last_batch: typeof p!.last_batch },
    {
      topic: 'gw',
      partition: 0,
      ranges: 2,
      first_offset: 0,
      last_offset: 9,
      records: 10,
      stored_records: 10,
      events: 8,
      rejects: 2,
      diff: 0,
      lag: 7,
      last_batch: 'string',
    },
  );
  await insertRows(ts.store, 'events', [makeEvent({ event_time: t0, topic: 'gw', partition: 0, offset: '2', request_id: 'req_dup' })]);
  assert.equal((await reconcile(ts.store))[0]!.diff, 1, 'a duplicate shows');
  await assert.rejects(target.insertLedger([row(10, 12)], "x' OR 1"), /invalid ledger token/);
});

test('a record of several rows (record_index): stored rows keyed by (offset, record_index), reconciled as one record', async (t) => {
  const ts = await testStore('ledgerri');
  t.after(() => ts.cleanup());
  const target = deliveryTarget(ts.store);
  const t0 = recent();
  // Offset 20: an OTLP message of three log records (two events, one reject); offset 21: one event.
  await target.insertLedger([row(20, 21, { records: 2, events: 3, rejects: 1 })], 'fl1:ledger:ri');
  const ev = (offset: number, ri: number) =>
    eventTsvLine(makeEvent({ event_time: t0, request_id: `req_${offset}_${ri}` }), 'gw', 0, offset, ri);
  await ts.store.insertPayload('events', eventPayload(ev(20, 0) + ev(20, 1), 2));
  const rj = rejectTsvLine({
    transport_time: t0,
    source: 'client',
    topic: 'gw',
    partition: 0,
    offset: 20,
    reason: 'empty',
    detail: 'log record 2: empty',
    head: '',
    record_index: 2,
  });
  await ts.store.insertPayload('rejects', rejectPayload(rj, 1));
  assert.deepEqual([...(await target.storedRows({ topic: 'gw', partition: 0, first: 20, last: 21 }))].sort(), ['20', '20.1', '20.2']);
  let [p] = await reconcile(ts.store);
  assert.deepEqual(
    [p!.records, p!.stored_records, p!.events, p!.rejects, p!.diff, reconciled(p!)],
    [2, 1, 2, 1, -1, false],
    'offset 21 missing',
  );
  await ts.store.insertPayload('events', eventPayload(ev(21, 0), 1));
  [p] = await reconcile(ts.store);
  assert.deepEqual([p!.records, p!.stored_records, p!.events, p!.rejects, p!.diff, reconciled(p!)], [2, 2, 3, 1, 0, true]);
  await ts.store.insertPayload('events', eventPayload(ev(20, 1), 1));
  [p] = await reconcile(ts.store);
  assert.deepEqual(
    [p!.stored_records, p!.diff, reconciled(p!)],
    [2, 1, false],
    'a duplicate log record shows, though its offset is stored',
  );
  const [back] = await ts.store.query<{ n: number }>(`SELECT count() AS n FROM ${ts.db}.events WHERE offset = 20 AND record_index = 1`);
  assert.equal(Number(back!.n), 2);
});
