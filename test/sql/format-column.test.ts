// Migration 0008 (docs/real-inputs.md §4): the `format` column. Rows stored before it read back
// `''`; rows written after carry how their record was read, through both payload formats; the
// rollups keep counting. Real engine (chDB).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_COLUMNS, eventLine } from '../../sql/rows.ts';
import { eventTsvLine } from '../../sql/row-format.ts';
import { loadMigrations, openStore } from '../../sql/index.ts';
import { normalize } from '../../transform/index.ts';
import { makeEvent, testConfig } from '../support/stores.ts';

test('0008: format column added in place; old rows read back empty, new rows keep their format, rollups still fed', async () => {
  const config = testConfig('fmt');
  const store = await openStore(config);
  const db = config.CLICKHOUSE_DATABASE;
  try {
    await store.command(`CREATE DATABASE ${db}`);
    for (const m of loadMigrations(db, 30).filter((x) => x.name < '0008')) for (const s of m.statements) await store.command(s);
    await store.command(`INSERT INTO ${db}.events (event_time, source, raw) VALUES ('2026-11-21 10:00:00.000', 'gateway', 'before')`);
    const applied = await store.migrate();
    assert.ok(applied.some((n) => n.startsWith('0008')), applied.join(','));

    const docker = normalize(JSON.stringify({ log: '{"ts":"2026-11-21T10:00:01Z","status":429,"error":{"code":"QUOTA_EXCEEDED","request_id":"req_f1"}}\n', stream: 'stdout', time: '2026-11-21T10:00:01Z' }), { source: 'gateway', transportTimeMs: 0 });
    assert.ok(docker.ok);
    assert.equal(docker.event.format, 'docker/json');
    const tsv = eventTsvLine(docker.event, 'gw', 0, 1);
    await store.insertPayload('events', { format: 'TabSeparated', columns: EVENT_COLUMNS, body: tsv, rows: 1 });
    const json = eventLine(makeEvent({ event_time: '2026-11-21T10:00:02.000Z', format: 'otlp-json/text' }), 'cl', 0, 2);
    await store.insertPayload('events', { format: 'JSONCompactEachRow', columns: EVENT_COLUMNS, body: json, rows: 1 });

    const back = await store.query<{ raw: string; format: string }>(`SELECT raw, format FROM ${db}.events ORDER BY event_time`);
    assert.deepEqual(back.map((r) => r.format), ['', 'docker/json', 'otlp-json/text']);
    assert.equal(back[0]?.raw, 'before');
    const [sum] = await store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${db}.events_1m`);
    assert.equal(sum?.n, 3, 'the per-minute rollup counts every row, before and after the migration');
    const [mut] = await store.query<{ n: number }>(`SELECT count() AS n FROM system.mutations WHERE database = {db:String}`, { db });
    assert.equal(mut?.n, 0, 'adding the column rewrites nothing');
  } finally {
    await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
  }
});
