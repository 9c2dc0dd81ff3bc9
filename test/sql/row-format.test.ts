import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRow } from '../../sql/store.ts';
import { EVENT_COLUMNS as PAYLOAD_COLUMNS, eventLine, REJECT_COLUMNS } from '../../sql/rows.ts';
import { eventTsvLine, quotedString, rejectTsvLine, tsvString } from '../../sql/row-format.ts';
import { makeEvent, makeReject, testStore } from '../support/stores.ts';

const EVENT_COLUMNS = `event_time, source, request_id, http_status, outcome, code, category, limit_kind, channel,
  upstream_vendor, upstream_code, upstream_sub_code, upstream_message, message, failed_offers, route, method,
  latency_ms, attempt, app_id, catalog_drift, raw, topic, partition, toString(offset) AS offset`;

const NASTY = 'ünïcødé 商品 \\ \\t \'q\' "dq"\nline2\ttab\r\0end \\N';

test('escaping: backslash, tab, newline, CR and NUL in fields; quotes too inside arrays', () => {
  assert.equal(tsvString('plain text'), 'plain text');
  assert.equal(tsvString('a\\b\tc\nd\re\0f'), 'a\\\\b\\tc\\nd\\re\\0f');
  assert.equal(quotedString("it's"), "'it\\'s'");
  assert.equal(quotedString('a\\b\tc'), "'a\\\\b\\tc'");
  assert.equal(eventTsvLine(makeEvent({ upstream_message: NASTY }), 't', 1, 2).split('\n').length, 2, 'one line per row');
  assert.equal(eventTsvLine(makeEvent(), 't', 1, 2).split('\t').length, PAYLOAD_COLUMNS.length);
});

test('TabSeparated rows read back exactly like JSONCompactEachRow rows, and dedup the same way', async () => {
  const t = await testStore('tsv');
  try {
    const rows: EventRow[] = [
      makeEvent({ request_id: 'req_t1', partition: 3, offset: '9007199254740991', topic: 'gw' }),
      makeEvent({
        event_time: '2026-11-21T10:00:03.007Z',
        source: 'client',
        request_id: 'req_t2\tx',
        upstream_message: NASTY,
        message: NASTY,
        failed_offers: [
          { offer_id: "o'1", spec_id: 's\\1', error_code: 'E1', error_message: NASTY },
          { offer_id: 'o2', spec_id: '', error_code: '', error_message: '' },
        ],
        latency_ms: null,
        attempt: null,
        catalog_drift: true,
        raw: `{"k":"${NASTY}"}`,
        partition: 3,
        offset: '42',
        topic: 'gw',
        route: '/a\\b',
        method: 'POST',
        app_id: 'app\n1',
        channel: '1688',
      }),
      makeEvent({ event_time: '2026-11-21T10:00:04.000Z', request_id: '', latency_ms: 0, attempt: 0, http_status: 0, offset: '43' }),
    ];
    const body = rows.map((r) => eventTsvLine(r, r.topic, r.partition, Number(r.offset))).join('');
    const payload = { format: 'TabSeparated', columns: PAYLOAD_COLUMNS, body, rows: rows.length } as const;
    await t.store.insertPayload('events', payload, { dedupToken: 'tsv-1' });
    await t.store.insertPayload('events', payload, { dedupToken: 'tsv-1' });
    const back = await t.store.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${t.db}.events ORDER BY event_time`);
    assert.deepEqual(back, rows);
    // The same rows as JSONCompactEachRow in a second table read back identically.
    await t.store.command(`CREATE TABLE ${t.db}.events_json AS ${t.db}.events`);
    await t.store.command(
      `INSERT INTO ${t.db}.events_json (${PAYLOAD_COLUMNS.join(', ')}) FORMAT JSONCompactEachRow ` +
        `${rows.map((r) => eventLine(r, r.topic, r.partition, Number(r.offset))).join('')}`,
    );
    assert.deepEqual(await t.store.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${t.db}.events_json ORDER BY event_time`), back);
    const [sum] = await t.store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${t.db}.events_1m`);
    assert.equal(sum?.n, 3, 'the rollup counted the retried block once');

    const rj = makeReject({ head: `junk req_q1 ${NASTY}`, detail: 'bad\tdetail\\', offset: '7' });
    await t.store.insertPayload('rejects', {
      format: 'TabSeparated',
      columns: REJECT_COLUMNS,
      body: rejectTsvLine({ ...rj, offset: 7 }),
      rows: 1,
    });
    const rback = await t.store.query(
      `SELECT source, reason, detail, head, transport_time, topic, partition, toString(offset) AS offset, request_id FROM ${t.db}.rejects`,
    );
    assert.deepEqual(rback, [{ ...rj, request_id: 'req_q1' }]);
  } finally {
    await t.cleanup();
  }
});

test('any string survives the TabSeparated round trip (property, through chDB)', async () => {
  const t = await testStore('tsvp');
  try {
    const strings = fc.sample(
      fc.string({ unit: fc.constantFrom('a', 'é', '商', '\\', '\t', '\n', '\r', '\0', "'", '"', 'N', ' ', '[', '(', ',') }),
      { numRuns: 200, seed: 7 },
    );
    const rows = strings.map((s, i) =>
      makeEvent({
        message: s,
        raw: s,
        failed_offers: [{ offer_id: s, spec_id: '', error_code: 'E', error_message: s }],
        offset: String(i),
      }),
    );
    const body = rows.map((r) => eventTsvLine(r, r.topic, r.partition, Number(r.offset))).join('');
    await t.store.insertPayload('events', { format: 'TabSeparated', columns: PAYLOAD_COLUMNS, body, rows: rows.length });
    const back = await t.store.query<{ message: string; raw: string; o: string; m: string }>(
      `SELECT message, raw, failed_offers[1].offer_id AS o, failed_offers[1].error_message AS m FROM ${t.db}.events ORDER BY offset`,
    );
    assert.deepEqual(
      back,
      strings.map((s) => ({ message: s, raw: s, o: s, m: s })),
    );
  } finally {
    await t.cleanup();
  }
});
