import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTextLine } from '../../transform/text-line.ts';

const plain = (o: object): unknown => JSON.parse(JSON.stringify(o));

describe('parseTextLine', () => {
  it('reads the spec example: timestamp, level, method and path, pairs', () => {
    const r = parseTextLine(
      '2026-11-21T10:00:01.234Z ERROR shop-api POST /v1/procurement/orders status=429 request_id=req_9f2 code=QUOTA_EXCEEDED attempt=3',
      64,
    );
    assert.deepEqual(plain(r.fields), {
      ts: '2026-11-21T10:00:01.234Z',
      level: 'ERROR',
      method: 'POST',
      route: '/v1/procurement/orders',
      status: '429',
      request_id: 'req_9f2',
      code: 'QUOTA_EXCEEDED',
      attempt: '3',
    });
    assert.equal(r.recognisable, true);
    assert.equal(r.reqToken, '');
  });
  it('joins the two-token timestamp and a following offset', () => {
    assert.equal(parseTextLine('2026-11-21 10:00:01.5 INFO x', 64).fields.ts, '2026-11-21 10:00:01.5');
    assert.equal(parseTextLine('2026-11-21 10:00:01 +08:00 INFO x', 64).fields.ts, '2026-11-21 10:00:01+08:00');
    assert.equal(parseTextLine('2026-11-21T10:00:01 Z x', 64).fields.ts, '2026-11-21T10:00:01Z');
    // Every way an offset token can start (offsetAt's shortcut), and tokens that only look close.
    for (const off of ['z', 'UTC', 'GMT', '-05:00', '+0800', '+08']) {
      assert.equal(parseTextLine(`2026-11-21T10:00:01 ${off} INFO x`, 64).fields.ts, `2026-11-21T10:00:01${off}`, off);
      assert.equal(parseTextLine(`2026-11-21 10:00:01 ${off} INFO x`, 64).fields.ts, `2026-11-21 10:00:01${off}`, off);
    }
    for (const not of ['utc', 'Zulu', '+8', 'INFO', '08:00']) {
      assert.equal(parseTextLine(`2026-11-21T10:00:01 ${not} x`, 64).fields.ts, '2026-11-21T10:00:01', not);
    }
  });
  it('takes a method word of any length before a route', () => {
    for (const m of ['GET', 'OPTIONS', 'DELETE']) assert.equal(parseTextLine(`x ${m} /v1/a`, 64).fields.method, m);
    assert.equal(parseTextLine('x GETS /v1/a', 64).fields.method, undefined);
  });
  it('unquotes double-quoted values with escapes', () => {
    const r = parseTextLine('msg="said \\"no\\"\\tthen left" a=1', 64);
    assert.equal(r.fields.msg, 'said "no"\tthen left');
    assert.equal(r.fields.a, '1');
  });
  it('parses JSON after key= and a JSON object ending the line, with spans', () => {
    const line = 'level=error body={"error":{"code":"X"}} n=1 {"tail":true}';
    const r = parseTextLine(line, 64);
    assert.deepEqual(plain(r.fields.body as object), { error: { code: 'X' } });
    assert.deepEqual(r.tail, { tail: true });
    assert.deepEqual(
      r.spans.map((s) => [s.key, line.slice(s.start, s.end)]),
      [
        ['body', '{"error":{"code":"X"}}'],
        ['', '{"tail":true}'],
      ],
    );
  });
  it('keeps broken or too-deep JSON values as text', () => {
    assert.equal(parseTextLine('a={"x": b=2', 64).fields.a, '{"x":');
    assert.equal(parseTextLine('a=[[[1]]] b=2', 2).fields.a, '[[[1]]]');
    assert.equal(parseTextLine('x=1 {"not":"last"} y=2', 64).tail, undefined);
  });
  it('finds a bare req_ token, ignoring trailing punctuation', () => {
    assert.equal(parseTextLine('retry for req_a-B_9, later', 64).reqToken, 'req_a-B_9');
    assert.equal(parseTextLine('prefixreq_x', 64).reqToken, '');
  });
  it('recognises a line only by timestamp, pair or request id', () => {
    assert.equal(parseTextLine('2026-11-21T10:00:00Z', 64).recognisable, true);
    assert.equal(parseTextLine('a=b', 64).recognisable, true);
    assert.equal(parseTextLine('see req_1', 64).recognisable, true);
    assert.equal(parseTextLine('1763719200 boot complete', 64).recognisable, false);
    assert.equal(parseTextLine('ERROR something broke', 64).recognisable, false);
    assert.equal(parseTextLine('= =x', 64).recognisable, false);
  });
  it('the first of repeated keys wins; a leading timestamp beats ts=', () => {
    const r = parseTextLine('2026-11-21T10:00:00Z ts=2020-01-01T00:00:00Z a=1 a=2', 64);
    assert.equal(r.fields.ts, '2026-11-21T10:00:00Z');
    assert.equal(r.fields.a, '1');
  });
});

describe('parseTextLine object safety', () => {
  it('keeps __proto__ and Object.prototype names as plain data', () => {
    const r = parseTextLine('2026-11-21T10:00:00Z __proto__=x constructor=y toString=z status=500', 64);
    assert.equal(Object.getPrototypeOf(r.fields), Object.prototype);
    assert.equal(r.fields.constructor, 'y');
    assert.equal(r.fields.toString, 'z');
    assert.equal(r.fields.status, '500');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
