// A request's settings written into its statement (sql/statement-settings.ts): where the clause
// goes for each kind of statement, and, on chDB, that the statement parses and runs with them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, statementKind } from '../../sql/http-statement.ts';
import { withStatementSettings } from '../../sql/statement-settings.ts';
import { testStore, type TestStore } from '../support/stores.ts';

const put = (sql: string, settings: Record<string, string>) => withStatementSettings(sql, statementKind(sql), settings);

test('the SETTINGS clause goes after an INSERT target, else at the end before FORMAT; the statement keeps its own', () => {
  const token = { insert_deduplication_token: 'tok-1' };
  assert.equal(
    put('INSERT INTO db.t (a, b) SELECT 1, 2;\n', token),
    "INSERT INTO db.t (a, b) SETTINGS insert_deduplication_token = 'tok-1' SELECT 1, 2",
  );
  assert.equal(
    put('insert into table db.t values (1)', token),
    "insert into table db.t SETTINGS insert_deduplication_token = 'tok-1' values (1)",
  );
  assert.equal(
    put('INSERT INTO db.t SETTINGS max_threads = 1 VALUES (1)', { log_comment: "it's" }),
    "INSERT INTO db.t SETTINGS log_comment = 'it\\'s', max_threads = 1 VALUES (1)",
  );
  assert.equal(put('SELECT 1 FORMAT JSONEachRow', { max_threads: '1' }), 'SELECT 1\nSETTINGS max_threads = 1 FORMAT JSONEachRow');
  assert.equal(
    put("ALTER TABLE db.t DELETE WHERE a = 'x,y' SETTINGS mutations_sync = 2", { log_comment: 'c' }),
    "ALTER TABLE db.t DELETE WHERE a = 'x,y' SETTINGS mutations_sync = 2, log_comment = 'c'",
  );
  assert.equal(put('OPTIMIZE TABLE db.t FINAL', { max_threads: '1' }), 'OPTIMIZE TABLE db.t FINAL\nSETTINGS max_threads = 1');
  assert.equal(put('DROP TABLE db.t', { 'bad name': '1' }), 'DROP TABLE db.t', 'no setting name: the statement as it was');
});

test('a statement without a query-level SETTINGS clause refuses settings instead of dropping them', () => {
  for (const sql of [
    'CREATE TABLE db.t (a UInt8) ENGINE = MergeTree ORDER BY a',
    'SYSTEM FLUSH LOGS',
    'INSERT INTO FUNCTION file("x.tsv") SELECT 1',
  ]) {
    assert.throws(
      () => put(sql, { log_comment: 'x' }),
      (err: unknown) => err instanceof ProtocolError && err.type === 'NOT_IMPLEMENTED' && /log_comment/.test(err.message),
      sql,
    );
  }
});

let t: TestStore;
before(async () => {
  t = await testStore('stset');
  await t.store.command(
    `CREATE TABLE ${t.db}.probe (v String) ENGINE = MergeTree ORDER BY v SETTINGS non_replicated_deduplication_window = 100`,
  );
});
after(() => t.cleanup());

test('on chDB each placement parses and the statement runs with its settings (and the session keeps its own)', async () => {
  const probe = `${t.db}.probe`;
  const rows = async () => (await t.store.query<{ v: string }>(`SELECT v FROM ${probe} ORDER BY v`)).map((r) => r.v);
  // INSERT … SELECT: the statement sees the setting; a repeated token is dropped (it reached the insert).
  await t.store.command(
    put(`INSERT INTO ${probe} SELECT toString(getSetting('log_comment'))`, { log_comment: 'sel', insert_deduplication_token: 'a' }),
  );
  await t.store.command(put(`INSERT INTO ${probe} SELECT 'other data'`, { insert_deduplication_token: 'a' }));
  assert.deepEqual(await rows(), ['sel']);
  // INSERT … VALUES, with a SETTINGS clause of its own.
  await t.store.command(put(`INSERT INTO ${probe} SETTINGS max_threads = 1 VALUES ('v1')`, { insert_deduplication_token: 'b' }));
  await t.store.command(put(`INSERT INTO ${probe} VALUES ('v2')`, { insert_deduplication_token: 'b' }));
  assert.deepEqual(await rows(), ['sel', 'v1']);
  // SELECT with FORMAT, ALTER, OPTIMIZE, TRUNCATE, DROP.
  const [r] = await t.store.query<{ c: string }>(
    put(`SELECT toString(getSetting('log_comment')) AS c FORMAT JSONEachRow`, { log_comment: 'q' }),
  );
  assert.deepEqual(r, { c: 'q' });
  await t.store.command(put(`ALTER TABLE ${probe} DELETE WHERE v = 'sel'`, { mutations_sync: '2' }));
  assert.deepEqual(await rows(), ['v1'], 'mutations_sync = 2 made the delete synchronous');
  await t.store.command(put(`OPTIMIZE TABLE ${probe} FINAL`, { max_threads: '1' }));
  await t.store.command(put(`TRUNCATE TABLE ${probe}`, { max_threads: '1' }));
  assert.deepEqual(await rows(), []);
  await t.store.command(put(`DROP TABLE ${probe}`, { max_threads: '1' }));
  const [session] = await t.store.query<{ c: string }>(`SELECT toString(getSetting('log_comment')) AS c`);
  assert.deepEqual(session, { c: '' });
});
