// The normalize thread builds the same rows as the in-thread path, byte for byte: same
// events, rejects, reasons, row keys (offset, record_index) and digests (hence tokens), whatever
// the batching, OTLP messages of several log records included — a replay of a flush whose rows
// were built in the other place must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRecord as normalize } from '../../transform/index.ts';
import { otlpJsonBatch } from '../support/otlp-batch.ts';
import { generateRecords } from '../../ingest/generator/index.ts';
import { NormalizeThread } from '../../ingest/normalize-thread.ts';
import { PartitionBuffer, type RawMessage } from '../../ingest/partition-buffer.ts';
import { complete, type Segment } from '../../ingest/segment.ts';
import { flushToken } from '../../ingest/tokens.ts';

const limits = { maxRecordBytes: 2048, maxDepth: 16, rawMaxBytes: 1024 };

function messages(): RawMessage[] {
  const out: RawMessage[] = [];
  let offset = 100;
  for (const r of generateRecords({ count: 3000, sources: 'both', seed: 11 })) {
    if (r.source !== 'gateway') continue;
    out.push({ offset: String(offset++), value: Buffer.from(r.value), timestamp: String(r.timestampMs) });
  }
  // OTLP messages of several log records (a row per log record, in two tables and two days).
  const lines = out.slice(0, 6).map((m, i) => ({ body: m.value!.toString(), timeMs: Date.UTC(2026, 10, 21 + (i % 2), 10) }));
  out.push({ offset: String(offset++), value: Buffer.from(otlpJsonBatch(lines)), timestamp: '1763719200000' });
  out.push({
    offset: String(offset++),
    value: Buffer.from(otlpJsonBatch([...lines.slice(0, 2), { body: '{"broken":', timeMs: 0 }])),
    timestamp: '1763719200000',
  });
  // Edge cases: null value, invalid UTF-8, too large, not JSON, tabs/newlines/backslashes to escape, a gap in offsets.
  out.push({ offset: String(offset++), value: null, timestamp: '1763719200000' });
  out.push({ offset: String(offset++), value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), timestamp: '1763719200000' });
  out.push({ offset: String(offset++), value: Buffer.from(`{"status":500,"msg":"${'x'.repeat(4000)}"}`), timestamp: '1763719200000' });
  out.push({ offset: String(offset++), value: Buffer.from('garbage\twith\\tabs'), timestamp: '1763719200000' });
  offset += 5;
  out.push({
    offset: String(offset++),
    value: Buffer.from('{"status":502,"message":"a\\tb\\nc\\\\d","request_id":"r\\u0000x"}'),
    timestamp: '1763719200000',
  });
  return out;
}

const text = (body: string | Buffer) => (typeof body === 'string' ? body : body.toString('utf8'));
const view = (s: Segment) => ({
  first: s.first,
  last: s.last,
  records: s.records,
  digest: s.digest,
  token: flushToken([s], 'events'),
  replayed: s.replayed,
  events: text(s.events.body),
  eventRows: s.events.rows,
  rejects: text(s.rejects.body),
  rejectRows: s.rejects.rows,
  reasons: [...s.rejectReasons].sort(),
  eventKeys: s.eventKeys,
  rejectKeys: s.rejectKeys,
});

async function cut(thread: NormalizeThread | undefined, batch: number, replay: { first: number; last: number }[]): Promise<Segment[]> {
  const msgs = messages();
  const b = new PartitionBuffer('t', 3, 'gateway', normalize, limits, 700, { committed: 100, replay, group: null }, thread);
  for (let i = 0; i < msgs.length; i += batch) b.append(msgs.slice(i, i + batch));
  return complete(b.take());
}

test('rows built in the normalize thread equal the in-thread rows (fresh and replayed segments, any batching)', async () => {
  const thread = new NormalizeThread();
  try {
    for (const replay of [
      [],
      [
        { first: 100, last: 1000 },
        { first: 1001, last: 1500 },
      ],
    ]) {
      const local = (await cut(undefined, 37, replay)).map(view);
      assert.ok(local.length >= 2);
      assert.ok(local.some((s) => s.rejectRows > 0) && local.some((s) => s.eventRows > 0));
      for (const batch of [1, 37, 500]) {
        const got = (await cut(thread, batch, replay)).map(view);
        assert.equal(got.length, local.length);
        got.forEach((g, i) => {
          for (const k of Object.keys(local[i]!) as (keyof typeof g)[]) {
            if (typeof g[k] === 'string' && g[k] !== local[i]![k]) {
              const a = (g[k] as string).split('\n'),
                b = (local[i]![k] as string).split('\n');
              const j = a.findIndex((l, n) => l !== b[n]);
              assert.equal(a[j], b[j], `segment ${i} ${k} line ${j}, batches of ${batch}`);
            }
            assert.deepEqual(g[k], local[i]![k], `segment ${i} ${k}, batches of ${batch}`);
          }
        });
      }
    }
  } finally {
    await thread.close();
  }
});

test('a closed thread fails the segments waiting on it (the flush then stops the process; nothing is committed)', async () => {
  const thread = new NormalizeThread();
  await thread.close();
  const b = new PartitionBuffer('t', 0, 'gateway', normalize, limits, 700, { committed: 0, replay: [] }, thread);
  b.append([{ offset: '0', value: Buffer.from('{"status":200}'), timestamp: '1763719200000' }]);
  await assert.rejects(complete(b.take()), /closed/);
});

test('a missing compiled worker (dist/, npm run build) is an error naming the command: there is no slower path', () => {
  const missing = new URL('file:///nonexistent/dist/ingest/normalize-worker.js');
  assert.throws(
    () => new NormalizeThread(missing),
    /the compiled worker \/nonexistent\/dist\/ingest\/normalize-worker\.js is missing: run `npm run build`/,
  );
});
