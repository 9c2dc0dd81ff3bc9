// Classifying what a backend threw (sql/store-errors.ts): ClickHouse codes from chDB text and
// from @clickhouse/client errors, network errno codes, HTTP gateway errors; bad data and bad SQL
// are permanent. Error texts follow ClickHouse's `Code: N. DB::Exception: … (TYPE)` form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../lib/errors.ts';
import { parseClickHouseError, toStoreError } from '../../sql/store-errors.ts';

test('ClickHouse error text is parsed into its code and type', () => {
  assert.deepEqual(
    parseClickHouseError('Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC): SELEC 1. (SYNTAX_ERROR) (version 26.7.1)'),
    {
      code: 62,
      type: 'SYNTAX_ERROR',
      message: 'Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC): SELEC 1. (SYNTAX_ERROR) (version 26.7.1)',
    },
  );
  assert.deepEqual(parseClickHouseError('plain failure'), { message: 'plain failure' });
});

test('transient server conditions are retriable, bad data and bad SQL are not', () => {
  const cases: [unknown, boolean, number | undefined][] = [
    [new Error('Code: 252. DB::Exception: Too many parts (300). (TOO_MANY_PARTS)'), true, 252],
    [new Error('Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED)'), true, 241],
    [new Error('Code: 159. DB::Exception: Timeout exceeded. (TIMEOUT_EXCEEDED)'), true, 159],
    [new Error('Code: 27. DB::Exception: Cannot parse input. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)'), false, 27],
    [new Error('Code: 62. DB::Exception: Syntax error. (SYNTAX_ERROR)'), false, 62],
    [Object.assign(new Error('Unknown table'), { code: '60', type: 'UNKNOWN_TABLE' }), false, 60],
    [Object.assign(new Error('overloaded'), { code: '202', type: 'TOO_MANY_SIMULTANEOUS_QUERIES' }), true, 202],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }), true, undefined],
    [new Error('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), true, undefined],
    [new Error('502 Bad Gateway'), true, undefined],
    [new Error('something else entirely'), false, undefined],
  ];
  for (const [raw, retriable, code] of cases) {
    const err = toStoreError(raw, 'insert into t.events');
    assert.ok(err instanceof StoreError);
    assert.equal(err.retriable, retriable, err.message);
    assert.equal(err.clickhouseCode, code, err.message);
    assert.match(err.message, /^insert into t\.events failed/);
    assert.equal(err.cause, raw);
  }
});

test('a StoreError passes through unchanged; a huge message is cut', () => {
  const e = new StoreError('x', { retriable: true });
  assert.equal(toStoreError(e, 'q'), e);
  const long = toStoreError(new Error(`Code: 62. DB::Exception: ${'y'.repeat(5000)}`), 'q');
  assert.ok(long.message.length < 700);
  assert.equal(long.clickhouseType, undefined);
});
