// What only a real broker shows: retention deleting segments under a slow consumer. faultline
// consumes a first batch and stops; more records arrive, roll segments (segment.bytes 1 MiB,
// Kafka 4's floor) and age past retention.ms, and Kafka deletes them unread. The restarted
// consumer finds its committed offset below the log start offset (OFFSET_OUT_OF_RANGE), goes
// on from the earliest retained record, and stores every retained record exactly once.
// `faultline status` then reconciles (diff 0: what was consumed is stored), and its offsets
// column spans the deleted range with fewer records than offsets: the only trace of the loss.
// On the newest Kafka line only (retention is the same mechanism in 3.9; CI time is counted).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { formatStatus } from '../../cli/commands/status.ts';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { reconcile } from '../../sql/ledger.ts';
import { testStore } from '../support/stores.ts';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';
import { counts, kafkaClient, produce, records, sleep, waitFor } from './helpers.ts';

for (const kind of brokerKinds().filter((k) => k === '4')) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    test('retention deletes segments a stopped consumer had not read: the rest is stored once, status shows the gap only in its offsets', {
      timeout: 180_000,
    }, async (t) => {
      const broker = await bed();
      const ts = await testStore('retention', {
        KAFKA_BROKERS: broker.bootstrap,
        KAFKA_GROUP_ID: 'g-retention',
        FAULTLINE_GATEWAY_TOPIC: 'gw-ret',
        FAULTLINE_CLIENT_TOPIC: 'cl-ret',
        FAULTLINE_BATCH_SIZE: 2000,
        FAULTLINE_BATCH_MS: 200,
        KAFKA_SESSION_TIMEOUT_MS: 3000,
      });
      t.after(() => ts.cleanup());
      await broker.createTopic('gw-ret', 1, { 'segment.bytes': String(1 << 20) });
      await broker.createTopic('cl-ret', 1);
      const kafka = kafkaClient(broker.bootstrap);
      const producer = kafka.producer();
      await producer.connect();
      t.after(() => producer.disconnect());
      const admin = kafka.admin();
      await admin.connect();
      t.after(() => admin.disconnect());
      const ends = async () => (await admin.fetchTopicOffsets('gw-ret'))[0]!;

      // (1) A first batch, consumed and committed; then the consumer stops.
      const a = records('gateway', 1000, { tag: 'ra' });
      await produce(producer, 'gw-ret', a.values, 1);
      const t0 = Date.now();
      const at = (what: string) => t.diagnostic(`${what} at ${Date.now() - t0} ms`);
      const first = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics: new IngestMetrics() });
      await waitFor(
        'the first batch stored',
        () => counts(ts.store, ts.db),
        (c) => c.events + c.rejects >= 1000,
        60_000,
      );
      await first.stop();
      at('first batch stored, consumer stopped');

      // (2) Retention shortened to 2 s (AlterConfigs sets the whole topic config), then ~1.3 MB
      // more while the consumer is stopped: segments roll, age past retention.ms, and go.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: 'gw-ret',
            configEntries: [
              { name: 'segment.bytes', value: String(1 << 20) },
              { name: 'retention.ms', value: '2000' },
            ],
          },
        ],
      });
      const b = records('gateway', 6000, { tag: 'rb' });
      await produce(producer, 'gw-ret', b.values, 1, 2000);
      const gone = await waitFor('retention to delete unread segments', ends, (o) => Number(o.low) > 1000, 60_000, 500);
      at('retention deleted');
      const c = records('gateway', 100, { tag: 'rc' });
      await produce(producer, 'gw-ret', c.values, 1);
      const { low, high } = await ends();
      assert.equal(low, gone.low, 'no segment deleted after the check (the active one stays)');
      const deleted = Number(low) - 1000;
      t.diagnostic(
        `${broker.label}: retention deleted offsets 1000-${Number(low) - 1} (${deleted} records) unread; retained ` +
          `${low}-${Number(high) - 1}`,
      );

      // (3) The consumer comes back: from its committed offset 1000, out of range, to the log start.
      const again = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics: new IngestMetrics() });
      t.after(() => again.stop().catch(() => {}));
      const expected = 1000 + (Number(high) - Number(low));
      const stored = await waitFor(
        'every retained record stored',
        () => counts(ts.store, ts.db),
        (x) => x.events + x.rejects >= expected,
        60_000,
      );
      at('retained records stored');
      await sleep(300);
      await again.stop();
      assert.deepEqual(await counts(ts.store, ts.db), stored, 'nothing more arrives');
      assert.equal(stored.distinct, expected, 'every retained record once, nothing twice');
      assert.equal(stored.events + stored.rejects, expected);

      const rows = await reconcile(ts.store);
      const gw = rows.find((r) => r.topic === 'gw-ret')!;
      t.diagnostic(`faultline status:\n${formatStatus(rows)}`);
      assert.equal(gw.diff, 0, 'status reconciles what was consumed');
      assert.equal(Number(gw.first_offset), 0);
      assert.equal(Number(gw.last_offset), Number(high) - 1);
      assert.equal(Number(gw.records), expected, `the offsets column spans ${Number(high)} offsets, ${deleted} fewer records`);
    });
  });
}
