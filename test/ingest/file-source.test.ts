// The file and stdin sources: one record per line through the same normalize + sink path,
// line numbers as offsets; running a file again stores nothing twice; lines are split on
// bytes, so invalid UTF-8 is rejected rather than silently repaired, and a line beyond the
// size limit is rejected without being held in memory whole.
// test-tier: e2e (the whole file pipeline: normalize thread, sink and chDB, run end to end)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { IngestMetrics, runFile } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { testStore } from '../support/stores.ts';
import { counts, records } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-file-'));

test(
  'a file: valid lines become events, garbage rejects, blank lines nothing' + '; offsets are line numbers; a second run adds nothing',
  async (t) => {
    const ts = await testStore('file', { FAULTLINE_BATCH_SIZE: 100 });
    t.after(() => ts.cleanup());
    const recs = records('client', 1000, { tag: 'f' });
    const path = join(dir, 'client.log');
    // Windows line ends on some lines, blank lines in between, no newline at the end.
    const text = recs.values
      .map((v, i) => v.toString() + (i % 5 === 0 ? '\r\n' : '\n') + (i % 97 === 0 ? '\n  \n' : ''))
      .join('')
      .trimEnd();
    writeFileSync(path, text);
    const metrics = new IngestMetrics();
    const r1 = await runFile({ config: ts.config, store: ts.store, log: silentLogger, metrics }, { path }, 'client');
    assert.deepEqual({ ...r1, lines: 0 }, { topic: 'file:client.log', lines: 0, records: 1000, events: recs.valid, rejects: recs.garbage });
    const r2 = await runFile({ config: ts.config, store: ts.store, log: silentLogger }, { path }, 'client');
    assert.equal(r2.records, 1000);
    assert.deepEqual(await counts(ts.store, ts.db), { events: recs.valid, rejects: recs.garbage, distinct: 1000 });
    const [o] = await ts.store.query<{ lo: number; hi: number; topics: string[] }>(
      `SELECT min(toInt64(offset)) AS lo, max(toInt64(offset)) AS hi, groupUniqArray(topic) AS topics FROM ${ts.db}.events`,
    );
    assert.deepEqual([Number(o!.lo), Number(o!.hi) <= r1.lines, o!.topics], [1, true, ['file:client.log']]);
    assert.equal((await metrics.totals()).records, 1000);
  },
);

test('invalid UTF-8 and oversized lines become rejects; the lines after them are stored', async (t) => {
  const ts = await testStore('filepoison', { FAULTLINE_MAX_RECORD_BYTES: 4096 });
  t.after(() => ts.cleanup());
  const path = join(dir, 'poison.log');
  const good = (i: number) => Buffer.from(`{"request_id":"req_p${i}","status":500}\n`);
  writeFileSync(
    path,
    Buffer.concat([
      good(1),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
      good(2),
      Buffer.alloc(5_000_000, 0x41),
      Buffer.from('\n'),
      good(3),
    ]),
  );
  const r = await runFile({ config: ts.config, store: ts.store, log: silentLogger }, { path }, 'gateway');
  assert.deepEqual([r.events, r.rejects], [3, 2]);
  const rows = await ts.store.query<{ offset: number; reason: string; n: number }>(
    `SELECT toInt64(offset) AS offset, reason, length(head) AS n FROM ${ts.db}.rejects ORDER BY offset`,
  );
  assert.deepEqual(
    rows.map((x) => [Number(x.offset), x.reason]),
    [
      [2, 'invalid_utf8'],
      [4, 'too_large'],
    ],
  );
  assert.ok(rows.every((x) => Number(x.n) <= 4096));
});

test('a stream (stdin) is flushed on the time bound while it stays open, and completes at its end', async (t) => {
  const ts = await testStore('stdin', { FAULTLINE_BATCH_SIZE: 10_000, FAULTLINE_BATCH_MS: 100 });
  t.after(() => ts.cleanup());
  const stream = new PassThrough();
  const done = runFile({ config: ts.config, store: ts.store, log: silentLogger }, { stream, topic: 'stdin' }, 'gateway');
  const recs = records('gateway', 20, { tag: 'in', garbageEvery10: false });
  stream.write(Buffer.concat(recs.values.slice(0, 10).map((v) => Buffer.concat([v, Buffer.from('\n')]))));
  const deadline = Date.now() + 10_000;
  while ((await counts(ts.store, ts.db)).events < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await counts(ts.store, ts.db)).events, 10, 'stored before the stream ended');
  stream.end(Buffer.concat(recs.values.slice(10).map((v) => Buffer.concat([v, Buffer.from('\n')]))));
  const r = await done;
  assert.deepEqual([r.topic, r.events], ['stdin', 20]);
  assert.equal((await counts(ts.store, ts.db)).events, 20);
});

test('a line split across many small chunks is reassembled', async (t) => {
  const ts = await testStore('chunks');
  t.after(() => ts.cleanup());
  const line = `{"request_id":"req_chunked","status":503,"message":"${'x'.repeat(300)}"}\n`;
  const chunks = Array.from(Buffer.from(line + line), (b) => Buffer.from([b]));
  const r = await runFile({ config: ts.config, store: ts.store, log: silentLogger }, { stream: Readable.from(chunks) }, 'gateway');
  assert.deepEqual([r.lines, r.events, r.rejects], [2, 2, 0]);
});
