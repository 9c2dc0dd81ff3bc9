// A normalizer that throws becomes a reject whose detail quotes its error message; that
// message may quote the record (V8's JSON errors do), so it is redacted (docs/secrets.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRow } from '../../ingest/segment.ts';

test('a thrown error quoting the record is redacted in the reject detail', () => {
  const throwing = (): never => {
    throw new SyntaxError('Unexpected token, "{"password":"Hunt3r2Secret","Authorization":"Bearer abcdefgh12345678"}" is not valid JSON');
  };
  const r = normalizeRow(throwing, { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 }, 'client', 't', 0, 1, new Uint8Array([123]), 0);
  assert.equal(r.event, undefined);
  if (r.event !== undefined) return;
  assert.match(r.reject, /normalizer failed/);
  for (const s of ['Hunt3r2Secret', 'abcdefgh12345678']) assert.ok(!r.reject.includes(s), r.reject);
});
