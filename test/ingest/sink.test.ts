// The sink on real chDB: a flush (one insert per table) written again — a retry, or the next
// owner's whole replay, also after a write cut short — leaves one copy of its rows, ledger rows
// and rollup counts, across several days (several blocks per insert); the split-ownership
// fallback inserts only what is missing; a store that stays down is retried until it comes
// back; a permanent error is not retried forever.
// test-tier: e2e (the delivery protocol end to end on chDB: replays, cut writes, outages)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../lib/errors.ts';
import { IngestMetrics } from '../../ingest/index.ts';
import { Sink } from '../../ingest/sink.ts';
import { silentLogger } from '../../ingest/log.ts';
import { deliveryTarget } from '../../sql/ledger.ts';
import { testStore } from '../support/stores.ts';
import { FaultyStore } from './faulty-store.ts';
import { counts, records, segmentsOf } from './helpers.ts';

const backoff = { initialMs: 20, maxMs: 100, permanentAttempts: 2 };

test('writing the same segments again stores nothing twice: rows, ledger and rollups', async (t) => {
  const ts = await testStore('sink');
  t.after(() => ts.cleanup());
  const sink = new Sink({ target: deliveryTarget(ts.store), log: silentLogger, backoff });
  const recs = records('gateway', 300, { tag: 's' });
  const segs = [...(await segmentsOf('gw', 0, recs.values.slice(0, 150))), ...(await segmentsOf('gw', 1, recs.values.slice(150)))];
  await sink.write(segs);
  await sink.write(segs); // an in-process retry of the whole flush
  // A whole replay by the next owner: the same ranges cut again from the intent, same order.
  const replay = [
    ...(await segmentsOf('gw', 0, recs.values.slice(0, 150), 0, [{ first: 0, last: 149 }], 'c')),
    ...(await segmentsOf('gw', 1, recs.values.slice(150), 0, [{ first: 0, last: 149 }], 'c')),
  ];
  assert.equal(replay[0]!.replayed, true);
  await sink.write(replay);
  // The split-ownership fallback finds the range in the ledger and inserts nothing.
  assert.deepEqual(await sink.writeMissing((await segmentsOf('gw', 1, recs.values.slice(150), 0, [{ first: 0, last: 149 }]))[0]!), {
    events: 0,
    rejects: 0,
  });
  assert.deepEqual(await counts(ts.store, ts.db), { events: recs.valid, rejects: recs.garbage, distinct: 300 });
  const [l] = await ts.store.query<{ rows: number; records: number }>(
    `SELECT count() AS rows, sum(records) AS records FROM ${ts.db}.ingest_batches`,
  );
  assert.deepEqual([Number(l!.rows), Number(l!.records)], [2, 300]);
  const [r] = await ts.store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${ts.db}.events_1m`);
  assert.equal(Number(r!.n), recs.valid);
  const [rj] = await ts.store.query<{ n: number }>(`SELECT sum(rejects) AS n FROM ${ts.db}.rejects_1m`);
  assert.equal(Number(rj!.n), recs.garbage);
});

test('different content at the same offsets (a recreated topic) is not mistaken for a duplicate', async (t) => {
  const ts = await testStore('sinkrc');
  t.after(() => ts.cleanup());
  const sink = new Sink({ target: deliveryTarget(ts.store), log: silentLogger, backoff });
  await sink.write(await segmentsOf('gw', 0, records('gateway', 50, { tag: 'old', garbageEvery10: false }).values));
  await sink.write(await segmentsOf('gw', 0, records('gateway', 50, { tag: 'new', garbageEvery10: false }).values));
  assert.equal((await counts(ts.store, ts.db)).events, 100);
});

test('a store that is down is retried with backoff until it answers; a permanent error gives up', async (t) => {
  const ts = await testStore('sinkdown');
  t.after(() => ts.cleanup());
  const faulty = new FaultyStore(ts.store);
  const metrics = new IngestMetrics();
  const sink = new Sink({ target: deliveryTarget(faulty), log: silentLogger, backoff, metrics });
  faulty.down = true;
  const writing = sink.write(await segmentsOf('gw', 0, records('gateway', 40, { tag: 'd' }).values));
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(faulty.failures >= 3, `retried while down (${faulty.failures})`);
  faulty.down = false;
  await writing;
  assert.equal((await counts(ts.store, ts.db)).events + (await counts(ts.store, ts.db)).rejects, 40);
  assert.equal(
    (await metrics.storeErrors.get()).values.reduce((n, v) => n + v.value, 0),
    faulty.failures,
  );

  const broken = new FaultyStore(ts.store);
  broken.insertPayload = async () => {
    throw new StoreError('insert failed (ClickHouse code 16 NO_SUCH_COLUMN_IN_TABLE)', { retriable: false });
  };
  const bad = new Sink({ target: deliveryTarget(broken), log: silentLogger, backoff });
  await assert.rejects(bad.write(await segmentsOf('gw', 5, records('gateway', 5, { tag: 'x' }).values)), /NO_SUCH_COLUMN/);
});

test('an abort stops the retries without storing anything', async (t) => {
  const ts = await testStore('sinkab');
  t.after(() => ts.cleanup());
  const faulty = new FaultyStore(ts.store);
  faulty.down = true;
  const sink = new Sink({ target: deliveryTarget(faulty), log: silentLogger, backoff });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(sink.write(await segmentsOf('gw', 0, records('gateway', 10).values), { signal: ac.signal }), /aborted/);
  assert.deepEqual(await counts(ts.store, ts.db), { events: 0, rejects: 0, distinct: 0 });
});

/** Gateway records spread over `days` days (each day is its own block of the insert). */
function spread(n: number, days: number, tag: string): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    Buffer.from(
      i % 10 === 9
        ? 'not a log line at all'
        : JSON.stringify({
            ts: new Date(Date.UTC(2026, 10, 1 + (i % days), 10, 0, 0) + i).toISOString(),
            request_id: `req_${tag}_${i}`,
            status: 500,
            route: '/v1/x',
            method: 'GET',
            channel: '1688',
          }),
    ),
  );
}

async function exact(ts: { store: import('../../sql/store.ts').Store; db: string }, valid: number, rejects: number): Promise<void> {
  assert.deepEqual(await counts(ts.store, ts.db), { events: valid, rejects, distinct: valid + rejects });
  const [r] = await ts.store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${ts.db}.events_1m`);
  assert.equal(Number(r!.n), valid, 'rollups count each event once');
  const [rj] = await ts.store.query<{ n: number }>(`SELECT sum(rejects) AS n FROM ${ts.db}.rejects_1m`);
  assert.equal(Number(rj!.n), rejects, 'reject rollups too');
}

test(
  'a flush cut short (events stored, rejects not) is completed by replaying it whole' + ': rows and rollups exact over several days',
  async (t) => {
    const ts = await testStore('sinkcut');
    t.after(() => ts.cleanup());
    const faulty = new FaultyStore(ts.store);
    const sink = new Sink({ target: deliveryTarget(faulty), log: silentLogger, backoff });
    const segs = (await Promise.all([0, 1, 2].map((p) => segmentsOf('gw', p, spread(200, 4, `p${p}`))))).flat();
    // Kill after the events insert: a store that fails every later insert, permanently.
    const real = faulty.insertPayload.bind(faulty);
    faulty.insertPayload = async (table, payload, opts) => {
      if (table === 'rejects') throw new StoreError('killed', { retriable: false });
      return real(table, payload, opts);
    };
    await assert.rejects(sink.write(segs), /killed/);
    faulty.insertPayload = real;
    assert.equal((await counts(ts.store, ts.db)).rejects, 0);
    const again = (
      await Promise.all([0, 1, 2].map((p) => segmentsOf('gw', p, spread(200, 4, `p${p}`), 0, [{ first: 0, last: 199 }], 'c')))
    ).flat();
    await sink.write(again);
    await exact(ts, 540, 60);
  },
);

test('split ownership: the fallback inserts only the rows missing from the store, once, however often it runs', async (t) => {
  const ts = await testStore('sinkmiss');
  t.after(() => ts.cleanup());
  const sink = new Sink({ target: deliveryTarget(ts.store), log: silentLogger, backoff });
  const values = spread(300, 3, 'm');
  const [whole] = await segmentsOf('gw', 4, values);
  // The previous owner stored the events of the range (a flush with other partitions), not its rejects.
  await ts.store.insertPayload('events', whole!.events, { dedupToken: 'another-flush:events' });
  const [seg] = await segmentsOf('gw', 4, values, 0, [{ first: 0, last: 299 }]);
  assert.deepEqual(await sink.writeMissing(seg!), { events: 0, rejects: 30 });
  assert.deepEqual(await sink.writeMissing(seg!), { events: 0, rejects: 0 }, 'now in the ledger');
  await exact(ts, 270, 30);
  const [l] = await ts.store.query<{ rows: number; records: number }>(
    `SELECT count() AS rows, sum(records) AS records FROM ${ts.db}.ingest_batches`,
  );
  assert.deepEqual([Number(l!.rows), Number(l!.records)], [1, 300]);
});
