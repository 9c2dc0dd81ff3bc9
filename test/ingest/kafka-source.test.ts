// End to end on every broker of the test bed (the mock, Apache Kafka 4.x and 3.9) and chDB: records produced to both topics, 10% garbage ->
// exactly the valid ones in events, the garbage in rejects, nothing else; reconciliation and
// metrics agree; a graceful stop commits everything, so a restart stores nothing twice.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';
import { testStore } from '../support/stores.ts';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { reconcile } from '../../sql/ledger.ts';
import { counts, kafkaClient, produce, records, waitFor } from './helpers.ts';

for (const kind of brokerKinds()) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    test('both topics with 10% garbage: valid records become events, garbage becomes rejects, nothing else', {
      timeout: 120_000,
    }, async (t) => {
      const broker = await bed();
      const ts = await testStore('e2e', {
        KAFKA_BROKERS: broker.bootstrap,
        KAFKA_GROUP_ID: 'g-e2e',
        FAULTLINE_GATEWAY_TOPIC: 'gw-e2e',
        FAULTLINE_CLIENT_TOPIC: 'cl-e2e',
        FAULTLINE_BATCH_SIZE: 700,
        FAULTLINE_BATCH_MS: 200,
        KAFKA_SESSION_TIMEOUT_MS: 6000,
      });
      t.after(() => ts.cleanup());
      await broker.createTopic('gw-e2e', 4);
      await broker.createTopic('cl-e2e', 3);
      const gw = records('gateway', 3000, { tag: 'gw' });
      const cl = records('client', 2000, { tag: 'cl' });
      const producer = kafkaClient(broker.bootstrap).producer();
      await producer.connect();
      t.after(() => producer.disconnect());
      // Half before the consumer starts, half while it consumes.
      await produce(producer, 'gw-e2e', gw.values.slice(0, 1500), 4);
      await produce(producer, 'cl-e2e', cl.values.slice(0, 1000), 3);

      const metrics = new IngestMetrics();
      const ingest = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics });
      await produce(producer, 'gw-e2e', gw.values.slice(1500), 4);
      await produce(producer, 'cl-e2e', cl.values.slice(1000), 3);

      const total = gw.values.length + cl.values.length;
      const c = await waitFor(
        'all records stored',
        () => counts(ts.store, ts.db),
        (c) => c.events + c.rejects >= total,
        60_000,
      );
      await ingest.stop();
      assert.equal(c.events, gw.valid + cl.valid);
      assert.equal(c.rejects, gw.garbage + cl.garbage);
      assert.equal(c.distinct, total, 'every (topic, partition, offset) stored once');

      const bySource = await ts.store.query<{ source: string; n: number }>(
        `SELECT source, count() AS n FROM ${ts.db}.events GROUP BY source ORDER BY source`,
      );
      assert.deepEqual(
        bySource.map((r) => [r.source, Number(r.n)]),
        [
          ['client', cl.valid],
          ['gateway', gw.valid],
        ],
      );
      // The transport time of a reject is the message timestamp, i.e. about now.
      const [rt] = await ts.store.query<{ age: number }>(
        `SELECT max(abs(dateDiff('second', transport_time, now64(3)))) AS age FROM ${ts.db}.rejects`,
      );
      assert.ok(Number(rt!.age) < 300);

      const rec = await reconcile(ts.store);
      assert.equal(rec.length, 7);
      for (const p of rec) assert.equal(p.diff, 0, `${p.topic}/${p.partition} reconciles`);
      assert.equal(
        rec.reduce((n, p) => n + p.records, 0),
        total,
      );

      const totals = await metrics.totals();
      assert.deepEqual(totals, { records: total, events: gw.valid + cl.valid, rejects: gw.garbage + cl.garbage });
      const text = await metrics.registry.metrics();
      assert.match(text, /faultline_rejects_total\{topic="gw-e2e",reason="[a-z_]+"\} \d+/);
      assert.match(text, /faultline_consumer_lag\{topic="cl-e2e",partition="2"\} 0/);

      // Everything was committed on stop: a second run over the same group reads nothing again.
      const again = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics: new IngestMetrics() });
      await produce(producer, 'cl-e2e', records('client', 10, { tag: 'late', garbageEvery10: false }).values, 3);
      const c2 = await waitFor(
        'the late records',
        () => counts(ts.store, ts.db),
        (x) => x.events + x.rejects >= total + 10,
        30_000,
      );
      await again.stop();
      assert.deepEqual(c2, { events: c.events + 10, rejects: c.rejects, distinct: total + 10 });
    });
  });
}
