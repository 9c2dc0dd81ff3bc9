// "Unrecognized records" (docs/real-inputs.md §4) on chDB: a shipper misconfigured at 10:00
// (one topic's records arrive in a shape nothing recognises) pages for that topic within the
// 5-minute window, not for the others; 0.5% unrecognized and quiet topics stay quiet. Records go
// through normalize and the real row writer, so the format column and the rollup are the real ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertRules, tables } from '../../dashboards/index.ts';
import { evaluateRule } from '../../dashboards/alert-check.ts';
import { EVENT_COLUMNS, eventLine } from '../../sql/rows.ts';
import { normalize } from '../../transform/normalize.ts';
import { testStore } from '../support/stores.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-21T09:30:00Z');

test('fires for the topic whose records stopped being readable, only there', async () => {
  const t = await testStore('unrec');
  try {
    const rule = alertRules(tables(t.db)).find((r) => r.uid === 'faultline-unrecognized-records')!;
    let body = '';
    let n = 0;
    const add = (topic: string, ms: number, rec: object) => {
      const r = normalize(JSON.stringify(rec), { source: 'gateway', transportTimeMs: ms });
      assert.ok(r.ok);
      body += eventLine(r.event, topic, 0, n++);
    };
    for (let m = 0; m < 45; m++) {
      const ms = T0 + m * MIN;
      for (let i = 0; i < 40; i++) add('gw', ms, { ts: new Date(ms + i).toISOString(), status: 200, request_id: `req_${m}_${i}` });
      // From 10:00 the client topic's shipper sends its own wrapper with the line under a key nothing reads.
      for (let i = 0; i < 30; i++)
        add(
          'cl',
          ms,
          m >= 30
            ? { payload_v2: { line: `status=500 request_id=req_${m}_${i}` }, host: 'shop-1' }
            : { ts: new Date(ms + i).toISOString(), status: 200 },
        );
      // A third topic: 1 record in 200 unrecognized (0.5%).
      for (let i = 0; i < 40; i++) add('edge', ms, m % 5 === 0 && i === 0 ? { x: 1 } : { ts: new Date(ms + i).toISOString(), status: 200 });
    }
    await t.store.insertPayload('events', { format: 'JSONCompactEachRow', columns: EVENT_COLUMNS, body, rows: n });

    const before = await evaluateRule(t.store, rule, Date.parse('2026-11-21T09:59:30Z'));
    assert.equal(before.error, undefined);
    assert.deepEqual(
      before.series.filter((s) => s.firing),
      [],
    );
    const after = await evaluateRule(t.store, rule, Date.parse('2026-11-21T10:06:10Z'));
    assert.equal(after.error, undefined);
    const values = Object.fromEntries(after.series.map((s) => [s.labels.topic, s.value]));
    assert.deepEqual(values, { cl: 1, edge: 0.005, gw: 0 });
    assert.deepEqual(
      after.series.filter((s) => s.firing).map((s) => s.labels.topic),
      ['cl'],
    );
  } finally {
    await t.cleanup();
  }
});
