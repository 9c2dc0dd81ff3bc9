// The sink on real chDB: a segment written again (a retry, or a replay by the next owner)
// leaves one copy of its rows, its ledger row and its rollup counts; a store that stays
// down is retried until it comes back; a permanent error is not retried forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../lib/errors.ts';
import { normalize } from '../../transform/index.ts';
import { IngestMetrics, Sink, silentLogger, type Segment } from '../../ingest/index.ts';
import { PartitionBuffer } from '../../ingest/partition-buffer.ts';
import { testStore } from '../support/stores.ts';
import { FaultyStore } from './faulty-store.ts';
import { counts, records } from './helpers.ts';

const limits = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };
const backoff = { initialMs: 20, maxMs: 100, permanentAttempts: 2 };

function segmentsOf(topic: string, partition: number, values: Buffer[], start = 0, replay: { first: number; last: number }[] = []): Segment[] {
  const b = new PartitionBuffer(topic, partition, 'gateway', normalize, limits, 100_000, { committed: start, replay });
  b.append(values.map((v, i) => ({ offset: String(start + i), value: v, timestamp: String(Date.now()) })));
  return b.take();
}

test('writing the same segments again stores nothing twice: rows, ledger and rollups', async (t) => {
  const ts = await testStore('sink');
  t.after(() => ts.cleanup());
  const sink = new Sink({ store: ts.store, database: ts.db, log: silentLogger, backoff });
  const recs = records('gateway', 300, { tag: 's' });
  const segs = [...segmentsOf('gw', 0, recs.values.slice(0, 150)), ...segmentsOf('gw', 1, recs.values.slice(150))];
  await sink.write(segs);
  await sink.write(segs); // an in-process retry of the whole flush
  // A replay by the next owner: same ranges cut from the intent, flushed in a different set.
  const replay = segmentsOf('gw', 1, recs.values.slice(150), 0, [{ first: 0, last: 149 }]);
  assert.equal(replay[0]!.replayed, true);
  await sink.write(replay);
  assert.deepEqual(await counts(ts.store, ts.db), { events: recs.valid, rejects: recs.garbage, distinct: 300 });
  const [l] = await ts.store.query<{ rows: number; records: number }>(`SELECT count() AS rows, sum(records) AS records FROM ${ts.db}.ingest_batches`);
  assert.deepEqual([Number(l!.rows), Number(l!.records)], [2, 300]);
  const [r] = await ts.store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${ts.db}.events_1m`);
  assert.equal(Number(r!.n), recs.valid);
  const [rj] = await ts.store.query<{ n: number }>(`SELECT sum(rejects) AS n FROM ${ts.db}.rejects_1m`);
  assert.equal(Number(rj!.n), recs.garbage);
});

test('different content at the same offsets (a recreated topic) is not mistaken for a duplicate', async (t) => {
  const ts = await testStore('sinkrc');
  t.after(() => ts.cleanup());
  const sink = new Sink({ store: ts.store, database: ts.db, log: silentLogger, backoff });
  await sink.write(segmentsOf('gw', 0, records('gateway', 50, { tag: 'old', garbageEvery10: false }).values));
  await sink.write(segmentsOf('gw', 0, records('gateway', 50, { tag: 'new', garbageEvery10: false }).values));
  assert.equal((await counts(ts.store, ts.db)).events, 100);
});

test('a store that is down is retried with backoff until it answers; a permanent error gives up', async (t) => {
  const ts = await testStore('sinkdown');
  t.after(() => ts.cleanup());
  const faulty = new FaultyStore(ts.store);
  const metrics = new IngestMetrics();
  const sink = new Sink({ store: faulty, database: ts.db, log: silentLogger, backoff, metrics });
  faulty.down = true;
  const writing = sink.write(segmentsOf('gw', 0, records('gateway', 40, { tag: 'd' }).values));
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(faulty.failures >= 3, `retried while down (${faulty.failures})`);
  faulty.down = false;
  await writing;
  assert.equal((await counts(ts.store, ts.db)).events + (await counts(ts.store, ts.db)).rejects, 40);
  assert.equal((await metrics.storeErrors.get()).values.reduce((n, v) => n + v.value, 0), faulty.failures);

  const broken = new FaultyStore(ts.store);
  broken.insertPayload = async () => {
    throw new StoreError('insert failed (ClickHouse code 16 NO_SUCH_COLUMN_IN_TABLE)', { retriable: false });
  };
  const bad = new Sink({ store: broken, database: ts.db, log: silentLogger, backoff });
  await assert.rejects(bad.write(segmentsOf('gw', 5, records('gateway', 5, { tag: 'x' }).values)), /NO_SUCH_COLUMN/);
});

test('an abort stops the retries without storing anything', async (t) => {
  const ts = await testStore('sinkab');
  t.after(() => ts.cleanup());
  const faulty = new FaultyStore(ts.store);
  faulty.down = true;
  const sink = new Sink({ store: faulty, database: ts.db, log: silentLogger, backoff });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(sink.write(segmentsOf('gw', 0, records('gateway', 10).values), { signal: ac.signal }), /aborted/);
  assert.deepEqual(await counts(ts.store, ts.db), { events: 0, rejects: 0, distinct: 0 });
});
