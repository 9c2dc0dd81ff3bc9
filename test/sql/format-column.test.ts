// Migration 0008 (docs/real-inputs.md §4): the `format` column. Rows stored before it read back
// `''`; rows written after carry how their record was read, through both payload formats; the
// rollups keep counting. Real engine (chDB).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_COLUMNS, eventLine } from '../../sql/rows.ts';
import { eventTsvLine } from '../../sql/row-format.ts';
import { formatsByTopic, openStore } from '../../sql/index.ts';
import { loadMigrations } from '../../sql/migrate.ts';
import { formatFormats } from '../../cli/commands/status.ts';
import { testStore } from '../support/stores.ts';
import { normalize } from '../../transform/normalize.ts';
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
    assert.ok(
      applied.some((n) => n.startsWith('0008')),
      applied.join(','),
    );

    const docker = normalize(
      JSON.stringify({
        log: '{"ts":"2026-11-21T10:00:01Z","status":429,"error":{"code":"QUOTA_EXCEEDED","request_id":"req_f1"}}\n',
        stream: 'stdout',
        time: '2026-11-21T10:00:01Z',
      }),
      { source: 'gateway', transportTimeMs: 0 },
    );
    assert.ok(docker.ok);
    assert.equal(docker.event.format, 'docker/json');
    const tsv = eventTsvLine(docker.event, 'gw', 0, 1);
    await store.insertPayload('events', { format: 'TabSeparated', columns: EVENT_COLUMNS, body: tsv, rows: 1 });
    const json = eventLine(makeEvent({ event_time: '2026-11-21T10:00:02.000Z', format: 'otlp-json/text' }), 'cl', 0, 2);
    await store.insertPayload('events', { format: 'JSONCompactEachRow', columns: EVENT_COLUMNS, body: json, rows: 1 });

    const back = await store.query<{ raw: string; format: string }>(`SELECT raw, format FROM ${db}.events ORDER BY event_time`);
    assert.deepEqual(
      back.map((r) => r.format),
      ['', 'docker/json', 'otlp-json/text'],
    );
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

test('formatsByTopic: formats per topic, most first, and the unrecognized share that `faultline status` flags above 1%', async () => {
  const t = await testStore('fmtshare');
  try {
    const rows = [
      ...Array.from({ length: 97 }, (_, i) => eventLine(makeEvent({ format: 'json' }), 'gw', 0, i)),
      ...Array.from({ length: 3 }, (_, i) => eventLine(makeEvent({ format: 'unrecognized' }), 'gw', 0, 100 + i)),
      ...Array.from({ length: 40 }, (_, i) => eventLine(makeEvent({ format: 'docker/json' }), 'cl', 0, i)),
      ...Array.from({ length: 60 }, (_, i) => eventLine(makeEvent({ format: 'otlp-json/text' }), 'cl', 0, 100 + i)),
    ];
    await t.store.insertPayload('events', { format: 'JSONCompactEachRow', columns: EVENT_COLUMNS, body: rows.join(''), rows: rows.length });
    const got = await formatsByTopic(t.store, t.db);
    assert.deepEqual(got, [
      {
        topic: 'cl',
        events: 100,
        formats: [
          { format: 'otlp-json/text', events: 60 },
          { format: 'docker/json', events: 40 },
        ],
        unrecognized: 0,
      },
      {
        topic: 'gw',
        events: 100,
        formats: [
          { format: 'json', events: 97 },
          { format: 'unrecognized', events: 3 },
        ],
        unrecognized: 0.03,
      },
    ]);
    const text = formatFormats(got);
    assert.match(text, /^ {2}cl: otlp-json\/text 60\.0%, docker\/json 40\.0% {2}unrecognized 0\.0%$/m);
    assert.match(text, /^ {2}gw: json 97\.0%, unrecognized 3\.0% {2}UNRECOGNIZED 3\.0% > 1%: check the shipper's format$/m);
  } finally {
    await t.cleanup();
  }
});
