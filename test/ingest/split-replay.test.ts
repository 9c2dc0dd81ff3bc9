// The fallback of the delivery design, on every broker of the test bed and chDB: a previous owner died in
// the middle of a flush over all 8 partitions — its intent (the flush's composition) is
// committed on every partition, and its events insert landed but not its rejects. Two
// consumers then join together, so the flush's partitions are split between owners: neither
// can replay it whole, each checks its ranges against the store and inserts only the missing
// rows. Final counts exact, rollups included (the events insert that landed was complete). The
// client topic holds OTLP messages of three log records (two events, a reject): their events
// landed and their rejects did not, so the check must be per (offset, record_index) — by offset
// alone, those rejects would pass for stored and be lost.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../lib/errors.ts';
import { normalizeRecord } from '../../transform/index.ts';
import { IngestMetrics, startKafkaIngest, type Logger } from '../../ingest/index.ts';
import { encodeComposition } from '../../ingest/intent.ts';
import { Sink } from '../../ingest/sink.ts';
import { silentLogger } from '../../ingest/log.ts';
import type { Segment } from '../../ingest/segment.ts';
import { PartitionBuffer } from '../../ingest/partition-buffer.ts';
import { complete } from '../../ingest/segment.ts';
import { deliveryTarget } from '../../sql/ledger.ts';
import { FaultyStore } from './faulty-store.ts';
import { kafkaClient, records } from './helpers.ts';
import { assertExact, FAST_BACKOFF, setupOn } from './scenario.ts';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';

const limits = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };

for (const kind of brokerKinds()) {
  describe(brokerLabel(kind), () => {
    // A group's first join held back 3 s (Kafka's default and the mock's; the test bed's real
    // brokers use 0 for speed): the two owners started together share the first assignment.
    // With 0, the first to join took every partition once on 3.9.2 and replayed the flush whole.
    const bed = sharedTestBed(kind, after, { settings: { 'group.initial.rebalance.delay.ms': 3000 } });
    test('a flush cut short, then its partitions split between two owners: each inserts only what is missing', {
      timeout: 90_000,
    }, async (t) => {
      const { broker, ts, send } = await setupOn(t, 'split', await bed());
      const gw = records('gateway', 400, { tag: 'sg' });
      const cl = records('client', 400, { tag: 'sc', otlpEvery10: true });
      await send(gw, cl); // round-robin over 4 partitions: record i is offset i >> 2 of partition i % 4

      // The previous owner's flush: offsets 0–49 of every partition, one insert per table; it died after the events insert.
      const segs: Segment[] = [];
      for (const [topic, batch, source] of [
        [`gw-split`, gw, 'gateway'],
        [`cl-split`, cl, 'client'],
      ] as const) {
        for (let p = 0; p < 4; p++) {
          const buf = new PartitionBuffer(topic, p, source, normalizeRecord, limits, 100_000, { committed: 0, replay: [] });
          buf.append(
            Array.from({ length: 50 }, (_, k) => ({
              offset: String(k),
              value: batch.values[k * 4 + p]!,
              timestamp: String(Date.UTC(2026, 10, 21)),
            })),
          );
          segs.push(...(await complete(buf.take())));
        }
      }
      const dying = new FaultyStore(ts.store);
      const insert = dying.insertPayload.bind(dying);
      dying.insertPayload = async (table, payload, opts) => {
        if (table !== 'events') throw new StoreError('killed (injected)', { retriable: false });
        return insert(table, payload, opts);
      };
      await assert.rejects(new Sink({ target: deliveryTarget(dying), log: silentLogger, backoff: FAST_BACKOFF }).write(segs), /killed/);
      const composition = encodeComposition(segs)!;

      // Its intent, committed on every partition (position 0, metadata = the composition).
      const consumer = kafkaClient(broker.bootstrap).consumer({
        groupId: ts.config.KAFKA_GROUP_ID,
        sessionTimeout: 3000,
        heartbeatInterval: 500,
      });
      await consumer.connect();
      await consumer.subscribe({ topics: ['gw-split', 'cl-split'], fromBeginning: true });
      let committed!: () => void;
      const intentDone = new Promise<void>((r) => (committed = r));
      let once = false;
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ commitOffsetsIfNecessary }) => {
          if (once) return;
          once = true;
          await commitOffsetsIfNecessary({
            topics: ['gw-split', 'cl-split'].map((topic) => ({
              topic,
              partitions: [0, 1, 2, 3].map((partition) => ({ partition, offset: '0', metadata: composition })),
            })),
          });
          committed();
        },
      });
      await intentDone;
      await consumer.disconnect();

      // Two owners at once: the flush's partitions are split between them.
      const lines: string[] = [];
      const log: Logger = { ...silentLogger, info: (m: string) => void lines.push(m) };
      const deps = { config: ts.config, store: ts.store, log, backoff: FAST_BACKOFF };
      const [a, b] = await Promise.all([
        startKafkaIngest({ ...deps, metrics: new IngestMetrics() }),
        startKafkaIngest({ ...deps, metrics: new IngestMetrics() }),
      ]);
      t.after(() => a.stop().catch(() => {}));
      t.after(() => b.stop().catch(() => {}));
      await assertExact(ts, ts.store, [gw, cl]);
      const checked = lines.filter((l) => /checked against the store, \d+ events and \d+ rejects were missing/.test(l));
      assert.equal(checked.length, 8, lines.join('\n'));
      assert.ok(
        checked.every((l) => / 0 events and \d+ rejects were missing/.test(l)),
        'the events of the cut flush were not inserted again',
      );
      assert.ok(!lines.some((l) => /replaying a flush of .* whole/.test(l)), 'no owner held every partition of it');
      await Promise.all([a.stop(), b.stop()]);
    });
  });
}
