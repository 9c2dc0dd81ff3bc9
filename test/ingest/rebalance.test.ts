// A second consumer joins the group mid-stream and leaves again: partitions move between
// members (each replaying the other's intents), and every record is stored exactly once (each
// log record of the client topic's OTLP messages once, by (offset, record_index)). On
// every broker of the test bed: the mock, and Apache Kafka 4.x and 3.9 (real group coordinator).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, IngestMetrics, startKafkaIngest, type KafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { counts, records, sleep, waitFor, type Batch } from './helpers.ts';
import { assertExact, FAST_BACKOFF, setupOn } from './scenario.ts';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';

for (const kind of brokerKinds()) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    test('a second consumer joins the group mid-stream and leaves again: partitions move, counts exact', {
      timeout: 240_000,
    }, async (t) => {
      const { ts, send } = await setupOn(t, 'twoc', await bed());
      const deps = {
        config: ts.config,
        store: ts.store,
        log: process.env.DBG ? createLogger('debug') : silentLogger,
        backoff: FAST_BACKOFF,
      };
      const a = await startKafkaIngest({ ...deps, metrics: new IngestMetrics() });
      t.after(() => a.stop().catch(() => {}));
      const all: Batch[] = [];
      let producing = true;
      // Produce until B has stored some and left again (however long B's join takes on a loaded
      // machine: if production ended before B owned partitions, B would have nothing to store).
      const producer = (async () => {
        for (let i = 0; producing && i < 1000; i++) {
          const b = [records('gateway', 150, { tag: `g${i}` }), records('client', 100, { tag: `c${i}`, otlpEvery10: true })] as const;
          await send(...b);
          all.push(...b);
          await sleep(150);
        }
      })();
      const t0 = Date.now();
      const at = (what: string) => t.diagnostic(`${what} at ${Date.now() - t0} ms`);
      await waitFor(
        'A consuming',
        () => counts(ts.store, ts.db),
        (c) => c.events > 0,
        30_000,
      );
      at('A consuming');
      const bMetrics = new IngestMetrics();
      let b: KafkaIngest | undefined = await startKafkaIngest({ ...deps, metrics: bMetrics });
      t.after(() => b?.stop().catch(() => {}));
      await waitFor(
        'B stores records',
        async () => (await bMetrics.totals()).events,
        (n) => n > 0,
        90_000,
        100,
      );
      at('B storing');
      await b.stop();
      at('B stopped');
      b = undefined;
      await sleep(1500);
      producing = false;
      await producer;
      at('producer done');
      await assertExact(ts, ts.store, all);
      at('exact');
      assert.ok((await bMetrics.totals()).events > 0, 'the second consumer took a share');
      await a.stop();
    });
  });
}
