// `faultline trace` and `faultline sql` end to end on an embedded store (real chDB).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcess } from '../run-cli.ts';
import { insertRows, makeEvent, makeReject, testStore, type TestStore } from '../../support/stores.ts';

let t: TestStore;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await inProcess(argv, { FAULTLINE_DATA: t.config.FAULTLINE_DATA, CLICKHOUSE_DATABASE: t.db, CLICKHOUSE_URL: '' });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

before(async () => {
  t = await testStore('cli');
  await insertRows(t.store, 'events', [
    makeEvent({
      request_id: 'req_9f2',
      event_time: '2026-11-21T10:00:01.234Z',
      source: 'gateway',
      http_status: 502,
      outcome: 'error',
      code: 'CHANNEL_UPSTREAM_ERROR',
      category: 'CHANNEL_ERROR',
      limit_kind: 'quota',
      channel: 'taobao',
      upstream_vendor: 'taobao',
      upstream_code: '7',
      upstream_sub_code: 'isv.app-call-limited',
      upstream_message: 'App Call Limited',
      failed_offers: [{ offer_id: 'o1', spec_id: 's1', error_code: 'STOCK_NOT_ENOUGH', error_message: 'no stock' }],
      offset: '42',
    }),
    makeEvent({ request_id: 'req_9f2', event_time: '2026-11-21T10:00:03.000Z', source: 'client', attempt: 3, offset: '7' }),
    makeEvent({ request_id: 'req_other', offset: '8' }),
  ]);
  await insertRows(t.store, 'rejects', [makeReject({ head: 'junk req_9f2 junk', transport_time: '2026-11-21T10:00:02.000Z' })]);
});
after(() => t.cleanup());

test('trace prints events and rejects of both sources in time order with upstream details', async () => {
  const r = await cli('trace', 'req_9f2');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^req_9f2: 2 event\(s\), 1 reject\(s\)/);
  const heads = r.out
    .split('\n')
    .filter((l) => /^\d{4}-/.test(l))
    .map((l) =>
      l
        .split(/\s{2,}/)
        .slice(0, 3)
        .join(' | '),
    );
  assert.deepEqual(heads, [
    '2026-11-21T10:00:01.234Z | gateway | POST /v1/procurement/orders',
    '2026-11-21T10:00:02.000Z | client | REJECTED invalid_json: Unexpected end of JSON input',
    '2026-11-21T10:00:03.000Z | client | POST /v1/procurement/orders',
  ]);
  assert.match(r.out, /upstream: taobao 7 \/ isv\.app-call-limited — App Call Limited/);
  assert.match(r.out, /failed offer o1 \(spec s1\): STOCK_NOT_ENOUGH — no stock/);
  assert.doesNotMatch(r.out, /req_other/);
});

test('trace --json writes one object per line; an unknown id exits 1', async () => {
  const r = await cli('trace', 'req_9f2', '--json');
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; time: string });
  assert.deepEqual(
    lines.map((l) => l.kind),
    ['event', 'reject', 'event'],
  );
  const none = await cli('trace', "x' OR 1=1 --");
  assert.equal(none.code, 1);
  assert.match(none.out, /no events or rejects found/);
  assert.equal(none.err, '');
});

test('sql prints a table or JSON lines, takes --param values, and names bad flags', async () => {
  const table = await cli('sql', 'SELECT request_id, count() AS n FROM events GROUP BY request_id ORDER BY request_id');
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /request_id\s+n\n/);
  assert.match(table.out, /req_9f2\s+2\n/);
  assert.match(table.out, /\(2 rows\)/);
  const json = await cli(
    'sql',
    'SELECT request_id FROM events WHERE request_id = {id:String}',
    '--param',
    'id=req_other',
    '--format',
    'json',
  );
  assert.equal(json.out, '{"request_id":"req_other"}\n');
  const bad = await cli('sql', 'SELECT 1', '--format', 'xml');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--format=xml: allowed values are table, json/);
  const broken = await cli('sql', 'SELEC 1');
  assert.equal(broken.code, 1);
  assert.match(broken.err, /SYNTAX_ERROR/);
});
