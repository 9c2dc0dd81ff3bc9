import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../lib/errors.ts';
import type { EventRow } from '../../sql/store.ts';
import { EVENT_COLUMNS as PAYLOAD_COLUMNS, eventLine, REJECT_COLUMNS, rejectLine } from '../../sql/rows.ts';
import { insertRows, makeEvent, makeReject, testStore } from '../support/stores.ts';

const EVENT_COLUMNS = `event_time, source, request_id, http_status, outcome, code, category, limit_kind, channel,
  upstream_vendor, upstream_code, upstream_sub_code, upstream_message, message, failed_offers, route, method,
  latency_ms, attempt, app_id, catalog_drift, raw, topic, partition, toString(offset) AS offset`;

test('inserted events read back field for field', async () => {
  const t = await testStore('rt');
  try {
    const rows: EventRow[] = [
      makeEvent({ request_id: 'req_a', offset: '9007199254740993' }),
      makeEvent({
        event_time: '2026-11-21T10:00:02.005Z',
        source: 'client',
        request_id: 'req_b',
        http_status: 200,
        outcome: 'partial_success',
        code: 'PARTIAL_SUCCESS',
        category: 'BUSINESS_ERROR',
        limit_kind: '',
        upstream_vendor: 'taobao',
        upstream_code: '15',
        upstream_sub_code: 'isv.item-not-exist',
        upstream_message: 'ünïcødé 商品 \\ \'quoted\' "dq"\nline2\ttab',
        message: '',
        failed_offers: [
          { offer_id: 'o1', spec_id: 's1', error_code: 'STOCK_NOT_ENOUGH', error_message: 'no stock' },
          { offer_id: 'o2', spec_id: '', error_code: 'OFFER_OFFLINE', error_message: '' },
        ],
        latency_ms: null,
        attempt: null,
        catalog_drift: true,
        partition: 17,
        offset: '123',
      }),
    ];
    await insertRows(t.store, 'events', rows);
    const back = await t.store.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${t.db}.events ORDER BY event_time`);
    assert.deepEqual(back, rows);
  } finally {
    await t.cleanup();
  }
});

test('pre-serialised JSONCompactEachRow rows read back field for field; a repeated token is dropped', async () => {
  const t = await testStore('pl');
  try {
    const rows: EventRow[] = [
      makeEvent({ request_id: 'req_p1', partition: 3, offset: '41', topic: 'gw' }),
      makeEvent({
        event_time: '2026-11-21T10:00:03.007Z',
        request_id: 'req_p2',
        upstream_message: 'ünï "dq" \\ \n\t',
        failed_offers: [{ offer_id: 'o1', spec_id: 's1', error_code: 'E1', error_message: "it's" }],
        latency_ms: null,
        attempt: null,
        catalog_drift: true,
        partition: 3,
        offset: '42',
        topic: 'gw',
      }),
    ];
    const body = rows.map((r) => eventLine(r, r.topic, r.partition, Number(r.offset))).join('');
    const payload = { format: 'JSONCompactEachRow', columns: PAYLOAD_COLUMNS, body, rows: rows.length } as const;
    await t.store.insertPayload('events', payload, { dedupToken: 'pl-1' });
    await t.store.insertPayload('events', payload, { dedupToken: 'pl-1' });
    assert.deepEqual(await t.store.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${t.db}.events ORDER BY event_time`), rows);
    const rj = makeReject({ head: 'junk req_q1 junk', offset: '7' });
    await t.store.insertPayload('rejects', {
      format: 'JSONCompactEachRow',
      columns: REJECT_COLUMNS,
      body: rejectLine({ ...rj, offset: 7 }),
      rows: 1,
    });
    const back = await t.store.query(
      `SELECT source, reason, detail, head, transport_time, topic, partition, toString(offset) AS offset FROM ${t.db}.rejects`,
    );
    assert.deepEqual(back, [rj]);
  } finally {
    await t.cleanup();
  }
});

test('rejects read back, with the req_ id of their head extracted', async () => {
  const t = await testStore('rj');
  try {
    const r = makeReject({ head: 'garbage before req_Zz-9_x after', offset: '77' });
    await insertRows(t.store, 'rejects', [r, makeReject({ head: 'no id here', offset: '78' })]);
    const back = await t.store.query(
      `SELECT source, reason, detail, head, transport_time, topic, partition, toString(offset) AS offset, request_id
       FROM ${t.db}.rejects ORDER BY offset`,
    );
    assert.deepEqual(back[0], { ...r, request_id: 'req_Zz-9_x' });
    assert.equal(back[1]!.request_id, '');
  } finally {
    await t.cleanup();
  }
});

test('a retried insert with the same dedup token is dropped in the raw table and every rollup', async () => {
  const t = await testStore('dd');
  try {
    const batch = [
      makeEvent({ request_id: 'req_d1', failed_offers: [{ offer_id: 'o', spec_id: '', error_code: 'E', error_message: '' }] }),
      makeEvent({ request_id: 'req_d2' }),
    ];
    await insertRows(t.store, 'events', batch, { dedupToken: 'gateway-logs:0:0-1:events' });
    await insertRows(t.store, 'events', batch, { dedupToken: 'gateway-logs:0:0-1:events' });
    await insertRows(t.store, 'events', batch, { dedupToken: 'gateway-logs:0:2-3:events' }); // a different batch counts
    const [c] = await t.store.query<Record<string, number>>(`SELECT
        (SELECT count() FROM ${t.db}.events) AS raw,
        (SELECT sum(events) FROM ${t.db}.events_1m) AS rollup,
        (SELECT sum(events) FROM ${t.db}.events_1h) AS hourly,
        (SELECT sum(lines) FROM ${t.db}.failed_offers_1m) AS lines,
        (SELECT sum(events) FROM ${t.db}.request_index) AS indexed`);
    assert.deepEqual(c, { raw: 4, rollup: 4, hourly: 4, lines: 2, indexed: 4 });
  } finally {
    await t.cleanup();
  }
});

test('bad data is a non-retriable StoreError with the ClickHouse code and type', async () => {
  const t = await testStore('bad');
  try {
    await assert.rejects(insertRows(t.store, 'events', [makeEvent({ event_time: 'not a time' })]), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.retriable, false);
      assert.equal(err.clickhouseType, 'CANNOT_PARSE_DATETIME');
      assert.equal(err.clickhouseCode, 41);
      return true;
    });
    await assert.rejects(
      t.store.query('SELEC 1'),
      (err: unknown) => err instanceof StoreError && err.clickhouseCode === 62 && !err.retriable,
    );
  } finally {
    await t.cleanup();
  }
});

/** A small deterministic PRNG so the generated traffic is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

test('rollups equal GROUP BY over the raw events for the same data', async () => {
  const t = await testStore('roll');
  try {
    const r = rng(42);
    const base = Date.parse('2026-11-21T10:00:00.000Z');
    for (let b = 0; b < 6; b++) {
      const rows: EventRow[] = [];
      for (let i = 0; i < 700; i++) {
        const err = r() < 0.6;
        rows.push(
          makeEvent({
            event_time: new Date(base + Math.floor(r() * 45 * 60_000)).toISOString(),
            source: pick(r, ['gateway', 'client'] as const),
            request_id: `req_${Math.floor(r() * 900)}`,
            http_status: err ? pick(r, [400, 401, 429, 502]) : 200,
            outcome: err ? 'error' : pick(r, ['ok', 'ok', 'business_failure'] as const),
            code: err ? pick(r, ['QUOTA_EXCEEDED', 'INVALID_SIGNATURE', '7']) : '',
            category: err ? pick(r, ['RATE_LIMIT_ERROR', 'AUTH_ERROR', 'CHANNEL_ERROR'] as const) : '',
            limit_kind: pick(r, ['', '', 'rate', 'quota'] as const),
            channel: pick(r, ['1688', 'taobao', '']),
            upstream_vendor: pick(r, ['', 'taobao', 'alipay']),
            upstream_code: pick(r, ['', '7', '15']),
            upstream_sub_code: pick(r, ['', 'isv.x']),
            failed_offers:
              r() < 0.2
                ? [
                    { offer_id: 'o', spec_id: '', error_code: pick(r, ['STOCK', 'PRICE']), error_message: '' },
                    { offer_id: 'p', spec_id: '', error_code: 'STOCK', error_message: '' },
                  ]
                : [],
            latency_ms: r() < 0.3 ? null : Math.floor(r() * 2000),
            app_id: pick(r, ['a', 'b']),
            catalog_drift: r() < 0.05,
            offset: String(b * 1000 + i),
          }),
        );
      }
      await insertRows(t.store, 'events', rows, { dedupToken: `batch-${b}` });
      if (b === 2) await insertRows(t.store, 'events', rows, { dedupToken: `batch-${b}` }); // a redelivered batch
    }
    await insertRows(
      t.store,
      'rejects',
      Array.from({ length: 300 }, (_, i) =>
        makeReject({
          transport_time: new Date(base + Math.floor(r() * 45 * 60_000)).toISOString(),
          reason: pick(r, ['invalid_json', 'too_large', 'empty'] as const),
          source: pick(r, ['gateway', 'client'] as const),
          offset: String(i),
        }),
      ),
    );
    const dims =
      'source, channel, app_id, outcome, category, code, http_status, limit_kind, upstream_vendor, upstream_code, upstream_sub_code, ' +
      'catalog_drift';
    const fromRollup =
      await t.store.query(`SELECT minute, ${dims}, sum(events) AS n, sum(latency_ms_sum) AS lat, sum(latency_ms_count) AS latn
      FROM ${t.db}.events_1m GROUP BY minute, ${dims} ORDER BY minute, ${dims}`);
    const fromRaw = await t.store.query(`SELECT toStartOfMinute(event_time) AS minute, ${dims}, count() AS n,
      sum(ifNull(latency_ms, 0)) AS lat, countIf(latency_ms IS NOT NULL) AS latn
      FROM ${t.db}.events GROUP BY minute, ${dims} ORDER BY minute, ${dims}`);
    assert.ok(fromRaw.length > 500);
    assert.deepEqual(fromRollup, fromRaw);
    const total = fromRaw.reduce((s, x) => s + (x.n as number), 0);
    assert.equal(total, 6 * 700);

    const hourly = await t.store.query(`SELECT hour, ${dims}, sum(events) AS n, sum(latency_ms_sum) AS lat, sum(latency_ms_count) AS latn
      FROM ${t.db}.events_1h GROUP BY hour, ${dims} ORDER BY hour, ${dims}`);
    const hourlyRaw = await t.store.query(`SELECT toStartOfHour(toDateTime(event_time)) AS hour, ${dims}, count() AS n,
      sum(ifNull(latency_ms, 0)) AS lat, countIf(latency_ms IS NOT NULL) AS latn
      FROM ${t.db}.events GROUP BY hour, ${dims} ORDER BY hour, ${dims}`);
    assert.deepEqual(hourly, hourlyRaw);

    const offersRollup =
      await t.store.query(`SELECT minute, source, channel, code, error_code, sum(lines) AS n FROM ${t.db}.failed_offers_1m
      GROUP BY ALL ORDER BY ALL`);
    const offersRaw =
      await t.store.query(`SELECT toStartOfMinute(event_time) AS minute, source, channel, code, o.error_code AS error_code, count() AS n
      FROM ${t.db}.events ARRAY JOIN failed_offers AS o GROUP BY ALL ORDER BY ALL`);
    assert.ok(offersRaw.length > 10);
    assert.deepEqual(offersRollup, offersRaw);

    const rejRollup = await t.store.query(
      `SELECT minute, source, topic, reason, sum(rejects) AS n FROM ${t.db}.rejects_1m GROUP BY ALL ORDER BY ALL`,
    );
    const rejRaw = await t.store.query(
      `SELECT toStartOfMinute(transport_time) AS minute, source, topic, reason, count() AS n FROM ${t.db}.rejects GROUP BY ALL ORDER BY ` +
        `ALL`,
    );
    assert.deepEqual(rejRollup, rejRaw);

    const idx = await t.store.query(
      `SELECT request_id, min(first_time) AS f, max(last_time) AS l, sum(events) AS n FROM ${t.db}.request_index GROUP BY request_id ` +
        `ORDER BY request_id`,
    );
    const idxRaw = await t.store.query(
      `SELECT request_id, min(event_time) AS f, max(event_time) AS l, count() AS n FROM ${t.db}.events GROUP BY request_id ORDER BY ` +
        `request_id`,
    );
    assert.deepEqual(idx, idxRaw);
  } finally {
    await t.cleanup();
  }
});
