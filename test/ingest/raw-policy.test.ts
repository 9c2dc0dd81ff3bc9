// FAULTLINE_RAW (docs/configuration.md "The raw record"): `non-ok` keeps the redacted `raw` of
// errors, business failures, partial successes and `unrecognized` records and stores `ok` events
// as their normalized columns alone; `all` (the default) keeps every raw. Through the ingest's own
// row path (a segment built in this thread: normalize -> TabSeparated payload) into a migrated chDB store.
// Records shaped as docs/event-model.md §3 (dialects 1 and 2) and §4 (outcomes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { NormalizeThread } from '../../ingest/normalize-thread.ts';
import { limitsOf, type Limits } from '../../ingest/record-rows.ts';
import { SegmentBuilder } from '../../ingest/segment.ts';
import { normalize } from '../../transform/normalize.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';
import { testStore } from '../support/stores.ts';

const RECORDS: [string, string][] = [
  [
    'ok',
    '{"ts":"2026-11-21T10:00:01.000Z","request_id":"req_ok1","method":"GET","route":"/v1/products/{id}","status":200,"latency_ms":12,"channel":"1688"}',
  ],
  [
    'error',
    '{"ts":"2026-11-21T10:00:02.000Z","request_id":"req_er1","status":429,"channel":"1688","error":{"code":"QUOTA_EXCEEDED","message":"Daily channel quota exhausted.","request_id":"req_er1","category":"RATE_LIMIT_ERROR"}}',
  ],
  [
    'business_failure',
    '{"ts":"2026-11-21T10:00:03.000Z","request_id":"req_bf1","status":200,"channel":"1688","response":{"success":false,"code":"ORDER_CREATE_FAILED","message":"No line could be ordered.","failed_offers":[{"offer_id":"1","spec_id":"s1","error_code":"STOCK_NOT_ENOUGH","error_message":"out of stock"}]}}',
  ],
  [
    'partial_success',
    '{"ts":"2026-11-21T10:00:04.000Z","request_id":"req_ps1","status":200,"channel":"1688","response":{"success":true,"order_id":"o1","failed_offers":[{"offer_id":"2","spec_id":"s2","error_code":"STOCK_NOT_ENOUGH","error_message":"out of stock"}]}}',
  ],
  // JSON with none of the keys a log record has: stored as ok, format `unrecognized` (docs/real-inputs.md §4).
  ['unrecognized', '{"foo":1,"bar":"x"}'],
  // A secret in an ok record: under `all` its raw is kept, redacted (docs/secrets.md).
  [
    'ok-secret',
    '{"ts":"2026-11-21T10:00:06.000Z","request_id":"req_ok2","status":200,"headers":{"authorization":"Bearer fl_live_VeB5Mseu9h0V3rMy4AjrCnbRb6QstSKg"}}',
  ],
];

async function stored(raw: 'all' | 'non-ok'): Promise<Map<string, { outcome: string; format: string; raw: string }>> {
  const t = await testStore('raw');
  try {
    const limits: Limits = { ...limitsOf({ ...loadConfig(KEEP_FOREVER), FAULTLINE_RAW: raw }) };
    const b = new SegmentBuilder('gw', 0, 'gateway', normalize, limits);
    for (const [i, [, rec]] of RECORDS.entries()) b.add(i, Buffer.from(rec), Date.parse('2026-11-21T10:00:00Z'));
    const seg = await b.seal().complete;
    assert.equal(seg.events.rows, RECORDS.length, 'every record is an event');
    await t.store.insertPayload('events', seg.events);
    const rows = await t.store.query<{ offset: string; outcome: string; format: string; raw: string }>(
      `SELECT toString(offset) AS offset, outcome, format, raw FROM ${t.db}.events ORDER BY offset`,
    );
    assert.equal(rows.length, RECORDS.length);
    return new Map(rows.map((r) => [RECORDS[Number(r.offset)]![0], r]));
  } finally {
    await t.cleanup();
  }
}

test('FAULTLINE_RAW=non-ok: raw kept for errors, business failures, partial successes and unrecognized records; ok events without it', async () => {
  const rows = await stored('non-ok');
  for (const k of ['error', 'business_failure', 'partial_success']) {
    assert.equal(rows.get(k)!.outcome, k);
    assert.equal(rows.get(k)!.raw, RECORDS.find(([n]) => n === k)![1], `${k} keeps its raw`);
  }
  assert.equal(rows.get('unrecognized')!.outcome, 'ok');
  assert.equal(rows.get('unrecognized')!.format, 'unrecognized');
  assert.match(rows.get('unrecognized')!.raw, /"foo":1/, 'an unrecognized record keeps its raw: it is all there is of it');
  for (const k of ['ok', 'ok-secret']) {
    assert.equal(rows.get(k)!.outcome, 'ok');
    assert.equal(rows.get(k)!.format, 'json');
    assert.equal(rows.get(k)!.raw, '', `${k} is stored without raw`);
  }
});

test('FAULTLINE_RAW=all (the default) keeps every raw, redacted', async () => {
  assert.equal(loadConfig(KEEP_FOREVER).FAULTLINE_RAW, 'all');
  const rows = await stored('all');
  for (const [k] of RECORDS) assert.notEqual(rows.get(k)!.raw, '', `${k} keeps its raw`);
  assert.match(rows.get('ok-secret')!.raw, /\[REDACTED/);
  assert.ok(!rows.get('ok-secret')!.raw.includes('fl_live_VeB5'), 'the secret is not stored');
});

test('FAULTLINE_RAW accepts all or non-ok and names itself otherwise', () => {
  assert.equal(loadConfig({ ...KEEP_FOREVER, FAULTLINE_RAW: 'non-ok' }).FAULTLINE_RAW, 'non-ok');
  assert.throws(
    () => loadConfig({ ...KEEP_FOREVER, FAULTLINE_RAW: 'none' }),
    (e: unknown) => e instanceof ConfigError && /invalid FAULTLINE_RAW="none": one of all, non-ok/.test(e.message),
  );
});

test('FAULTLINE_RAW=non-ok reaches the normalize thread: its rows are byte for byte the in-thread rows', async () => {
  const limits: Limits = limitsOf({ ...loadConfig(KEEP_FOREVER), FAULTLINE_RAW: 'non-ok' });
  const thread = new NormalizeThread();
  try {
    const build = async (th?: NormalizeThread): Promise<string> => {
      const b = new SegmentBuilder('gw', 0, 'gateway', normalize, limits, th);
      for (const [i, [, rec]] of RECORDS.entries()) b.add(i, Buffer.from(rec), Date.parse('2026-11-21T10:00:00Z'));
      return (await b.seal().complete).events.body.toString();
    };
    const inThread = await build();
    assert.equal(await build(thread), inThread);
    assert.ok(!inThread.includes('req_ok1","method'), "the ok record's raw is not in the rows");
  } finally {
    await thread.close();
  }
});
