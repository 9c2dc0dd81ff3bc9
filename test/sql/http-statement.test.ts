import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindParams,
  decodeParam,
  isMultiStatement,
  isReadOnlyKind,
  outputFormat,
  parseArrayLiteral,
  parseInsert,
  splitUrlParams,
  statementKind,
  withFormatAndSettings,
} from '../../sql/http-statement.ts';
import { formatQueryParams } from '@clickhouse/client-common';

test('param values decode from the escaped text form @clickhouse/client writes', () => {
  for (const v of ["x' OR 1=1 --", 'back\\slash', 'tab\tnew\nline', 'ünï 商品 🚀', '', '\\N literal']) {
    assert.equal(decodeParam(formatQueryParams({ value: v })), v);
  }
  assert.equal(decodeParam('\\N'), null);
  const arr = ["p'q", 'r\\s', 'ü'];
  assert.deepEqual(parseArrayLiteral(formatQueryParams({ value: arr })), arr);
  assert.deepEqual(parseArrayLiteral('[[1, 2], [], NULL]'), [['1', '2'], [], null]);
  assert.deepEqual(bindParams('SELECT {a:Array(String)}, {b:String}', { a: "['x']", b: "y\\'z" }), { a: ['x'], b: "y'z" });
});

test('URL parameters split into query parameters and settings; protocol parameters are neither', () => {
  const { params, settings } = splitUrlParams(
    new URLSearchParams('query_id=1&database=d&param_id=x&max_threads=2&user=u&password=p&date_time_output_format=iso'),
  );
  assert.deepEqual(params, { id: 'x' });
  assert.deepEqual(settings, { max_threads: '2', date_time_output_format: 'iso' });
});

test('statement kinds and multi-statements', () => {
  assert.equal(statementKind('  -- c\n/* x */ (SELECT 1)'), 'SELECT');
  assert.equal(statementKind('with a as (select 1) select * from a'), 'WITH');
  assert.ok(isReadOnlyKind('SHOW') && !isReadOnlyKind('INSERT') && !isReadOnlyKind('DROP'));
  assert.equal(isMultiStatement('SELECT 1;'), false);
  assert.equal(isMultiStatement("SELECT ';DROP' -- ; x\n"), false);
  assert.equal(isMultiStatement('SELECT 1; DROP TABLE t'), true);
});

test('format and settings are appended the way ClickHouse accepts them', () => {
  assert.equal(withFormatAndSettings('SELECT 1;', 'TabSeparated', {}), 'SELECT 1\nFORMAT TabSeparated');
  assert.equal(
    withFormatAndSettings('SELECT 1\nFORMAT JSONEachRow', 'TSV', { max_threads: '2', x: "a'b" }),
    "SELECT 1\nFORMAT JSONEachRow\nSETTINGS max_threads = 2, x = 'a\\'b'",
  );
  assert.equal(
    withFormatAndSettings('SELECT 1 FORMAT JSON SETTINGS a = 1', 'TSV', { b: '2' }),
    'SELECT 1 FORMAT JSON SETTINGS a = 1, b = 2',
  );
  assert.equal(outputFormat('SELECT 1 FORMAT JSONEachRow', 'TSV'), 'JSONEachRow');
  assert.equal(outputFormat('SELECT format', 'TSV'), 'TSV');
});

test('INSERT … FORMAT takes its data from the body or the rest of the query', () => {
  const body = Buffer.from('{"a":1}\n');
  const ins = parseInsert('INSERT INTO db.t (a, `b`) SETTINGS async_insert=0 FORMAT JSONEachRow', body, {
    insert_deduplication_token: 'k',
  });
  assert.deepEqual(
    { ...ins, body: ins?.body.toString() },
    {
      table: 'db.t',
      columns: ['a', 'b'],
      format: 'JSONEachRow',
      body: '{"a":1}\n',
      settings: { insert_deduplication_token: 'k', async_insert: '0' },
    },
  );
  assert.equal(parseInsert('INSERT INTO t FORMAT JSONEachRow\n{"a":2}', undefined, {})?.body.toString(), '{"a":2}');
  assert.equal(parseInsert('INSERT INTO t SELECT 1', body, {}), undefined);
  assert.throws(() => parseInsert('INSERT INTO t FORMAT Native', body, {}), /not served/);
});
