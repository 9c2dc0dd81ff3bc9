import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../lib/errors.ts';
import { openStore } from '../../sql/index.ts';
import { loadMigrations, runMigrations, splitStatements } from '../../sql/migrate.ts';
import { insertRows, makeEvent, makeReject, testConfig, testStore, type TestStore } from '../support/stores.ts';

test('splitStatements splits on ; outside quotes and drops comments', () => {
  const parts = splitStatements("-- head; comment\nCREATE TABLE a (x String DEFAULT 'a;b'); /* c; */ SELECT 1;\n");
  assert.deepEqual(parts, ["CREATE TABLE a (x String DEFAULT 'a;b')", 'SELECT 1']);
});

test('loadMigrations substitutes every placeholder and rejects a bad database name', () => {
  const ms = loadMigrations('fl_x', 7);
  assert.ok(ms.length >= 5);
  assert.deepEqual(
    ms.map((m) => m.name),
    [...ms.map((m) => m.name)].sort(),
  );
  for (const m of ms) for (const s of m.statements) assert.doesNotMatch(s, /\$\{/);
  assert.throws(() => loadMigrations('x; DROP TABLE y', 7), ConfigError);
  assert.throws(() => loadMigrations('ok', -1), ConfigError);
  assert.throws(() => loadMigrations('ok', 1.5), ConfigError);
});

test('migrate applies every file once; a second run applies nothing and records what ran', async () => {
  const config = testConfig('mig');
  const store = await openStore(config);
  const db = config.CLICKHOUSE_DATABASE;
  try {
    const first = await store.migrate();
    assert.deepEqual(
      first,
      loadMigrations(db, 30).map((m) => m.name),
    );
    assert.deepEqual(await store.migrate(), []);
    const recorded = await store.query<{ name: string }>(`SELECT name FROM ${db}.schema_migrations ORDER BY name`);
    assert.deepEqual(
      recorded.map((r) => r.name),
      first,
    );
    const tables = await store.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db });
    for (const t of ['events', 'rejects', 'events_1m', 'events_1h', 'failed_offers_1m', 'rejects_1m', 'request_index', 'ingest_batches']) {
      assert.ok(
        tables.some((r) => r.name === t),
        `table ${t} exists`,
      );
    }
  } finally {
    await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
  }
});

test('an up-to-date store runs no DDL at all; a missing record re-runs only its file', async () => {
  const config = testConfig('migskip');
  const store = await openStore(config);
  const db = config.CLICKHOUSE_DATABASE;
  try {
    await store.migrate();
    const commands: string[] = [];
    const recording = {
      command: (sql: string) => {
        commands.push(sql);
        return store.command(sql);
      },
      query: <T>(sql: string, params?: Record<string, string>) => store.query<T>(sql, params),
    };
    assert.deepEqual(await runMigrations(recording, db, 30), []);
    assert.deepEqual(commands, [], 'no statement besides the SELECTs');
    const last = loadMigrations(db, 30).at(-1)!;
    await store.command(`ALTER TABLE ${db}.schema_migrations DELETE WHERE name = {n:String} SETTINGS mutations_sync = 1`, { n: last.name });
    assert.deepEqual(await runMigrations(recording, db, 30), [last.name]);
    assert.equal(commands.length, last.statements.length + 1, "the file's statements and its record");
  } finally {
    await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
  }
});

test('TTL of raw events and rejects follows FAULTLINE_RETENTION_DAYS; 0 leaves it out', async () => {
  const t = await testStore('ttl', { FAULTLINE_RETENTION_DAYS: 9 });
  const forever = await testStore('ttl0', { FAULTLINE_RETENTION_DAYS: 0 });
  try {
    for (const table of ['events', 'rejects', 'request_index', 'ingest_batches']) {
      const engine = async (s: TestStore) =>
        (
          await s.store.query<{ engine_full: string }>(
            'SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}',
            { db: s.db, t: table },
          )
        )[0]!.engine_full;
      assert.match(await engine(t), /TTL toDateTime\((event_time|transport_time|last_time|batch_time)\) \+ toIntervalDay\(9\)/, table);
      assert.doesNotMatch(await engine(forever), /TTL/, table);
    }
    // Same files otherwise: the statements differ only by their TTL lines.
    const strip = (db: string, days: number) =>
      loadMigrations(db, days)
        .flatMap((m) => m.statements)
        .map((s) => s.replace(/\nTTL [^\n]*/, ''));
    assert.deepEqual(strip('x', 0), strip('x', 9));
  } finally {
    await t.cleanup();
    await forever.cleanup();
  }
});

test('rows older than the retention go, newer ones stay (dates relative to now)', async () => {
  const t = await testStore('ttlrun', { FAULTLINE_RETENTION_DAYS: 3 });
  const day = 86_400_000;
  const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
  try {
    await insertRows(t.store, 'events', [
      makeEvent({ request_id: 'req_old', event_time: at(5 * day), offset: '1' }),
      makeEvent({ request_id: 'req_edge_kept', event_time: at(2 * day), offset: '2' }),
      makeEvent({ request_id: 'req_new', event_time: at(60_000), offset: '3' }),
    ]);
    await insertRows(t.store, 'rejects', [
      makeReject({ head: 'old', transport_time: at(4 * day), offset: '4' }),
      makeReject({ head: 'new', transport_time: at(3_600_000), offset: '5' }),
    ]);
    // TTL is applied when parts merge; FINAL forces it now instead of at the engine's leisure.
    await t.store.command(`OPTIMIZE TABLE ${t.db}.events FINAL`);
    await t.store.command(`OPTIMIZE TABLE ${t.db}.rejects FINAL`);
    const ids = await t.store.query<{ request_id: string }>(`SELECT request_id FROM ${t.db}.events ORDER BY request_id`);
    assert.deepEqual(
      ids.map((r) => r.request_id),
      ['req_edge_kept', 'req_new'],
    );
    const heads = await t.store.query<{ head: string }>(`SELECT head FROM ${t.db}.rejects ORDER BY head`);
    assert.deepEqual(
      heads.map((r) => r.head),
      ['new'],
    );
  } finally {
    await t.cleanup();
  }
});

test('the request-id bloom filter and the rejects request_id column exist', async () => {
  const t = await testStore('idx');
  try {
    const idx = await t.store.query<{ table: string; type: string }>(
      "SELECT table, type FROM system.data_skipping_indices WHERE database = {db:String} AND name = 'idx_request_id' ORDER BY table",
      { db: t.db },
    );
    assert.deepEqual(
      idx.map((r) => [r.table, r.type]),
      [
        ['events', 'bloom_filter'],
        ['rejects', 'bloom_filter'],
      ],
    );
  } finally {
    await t.cleanup();
  }
});

test('0007: raw and head compress with ZSTD(1); rows written before the change read back after merges', async () => {
  const config = testConfig('codec');
  const store = await openStore(config);
  const db = config.CLICKHOUSE_DATABASE;
  try {
    // Apply up to 0006, write a row under the released codec, then the rest.
    await store.command(`CREATE DATABASE ${db}`);
    for (const m of loadMigrations(db, 30).filter((x) => x.name <= '0006')) for (const s of m.statements) await store.command(s);
    await store.command(`INSERT INTO ${db}.events (event_time, source, raw) VALUES ('2026-11-21 10:00:00.000', 'gateway', 'before')`);
    await store.migrate();
    await store.command(`INSERT INTO ${db}.events (event_time, source, raw) VALUES ('2026-11-21 10:00:01.000', 'gateway', 'after')`);
    await store.command(`OPTIMIZE TABLE ${db}.events FINAL`);
    const cols = await store.query<{ table: string; name: string; compression_codec: string }>(
      `SELECT table, name, compression_codec FROM system.columns WHERE database = {db:String} AND name IN ('raw', 'head') ORDER BY table`,
      { db },
    );
    assert.deepEqual(
      cols.map((c) => `${c.table}.${c.name} ${c.compression_codec}`),
      ['events.raw CODEC(ZSTD(1))', 'rejects.head CODEC(ZSTD(1))'],
    );
    assert.deepEqual(
      (await store.query<{ raw: string }>(`SELECT raw FROM ${db}.events ORDER BY event_time`)).map((r) => r.raw),
      ['before', 'after'],
    );
    const [mut] = await store.query<{ n: number }>(`SELECT count() AS n FROM system.mutations WHERE database = {db:String}`, { db });
    assert.equal(mut?.n, 0, 'a codec change rewrites nothing');
  } finally {
    await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
    await store.close();
  }
});
