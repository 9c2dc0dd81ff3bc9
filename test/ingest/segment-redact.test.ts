// A normalizer that throws becomes a reject whose detail quotes its error message; that
// message may quote the record (V8's JSON errors do), so it is redacted (docs/secrets.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addRecord, RowText } from '../../ingest/record-rows.ts';

test('a thrown error quoting the record is redacted in the reject detail', () => {
  const throwing = (): never => {
    throw new SyntaxError('Unexpected token, "{"password":"Hunt3r2Secret","Authorization":"Bearer abcdefgh12345678"}" is not valid JSON');
  };
  const r = new RowText(true);
  addRecord(r, throwing, { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 }, 'client', 't', 0, 1, new Uint8Array([123]), 0);
  assert.deepEqual([r.eventCount, r.rejectCount, r.rejectKeys], [0, 1, ['1']]);
  assert.match(r.rejects, /normalizer failed/);
  for (const s of ['Hunt3r2Secret', 'abcdefgh12345678']) assert.ok(!r.rejects.includes(s), r.rejects);
});

test('a normalizer that gives no outcome at all still leaves a reject row (a record never vanishes)', () => {
  const r = new RowText(true);
  addRecord(r, () => [], { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 }, 'client', 't', 0, 7, new Uint8Array([123]), 0);
  assert.deepEqual([r.eventCount, r.rejectCount, r.rejectKeys], [0, 1, ['7']]);
  assert.match(r.rejects, /no outcome/);
});
