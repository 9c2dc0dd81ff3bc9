// ClickHouse unavailable for a while mid-stream, and acknowledgements lost after inserts:
// fetching pauses, retries with backoff, and every record is stored exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { FaultyStore } from './faulty-store.ts';
import { counts, records, sleep, waitFor } from './helpers.ts';
import { assertExact, FAST_BACKOFF, setup } from './scenario.ts';

test('ClickHouse unavailable mid-stream, and acknowledgements lost after inserts: fetching pauses, nothing lost or doubled', async (t) => {
  const { ts, send } = await setup(t, 'chdown');
  const faulty = new FaultyStore(ts.store);
  const metrics = new IngestMetrics();
  const ingest = await startKafkaIngest(
    { config: ts.config, store: faulty, log: silentLogger, metrics, backoff: FAST_BACKOFF },
    { highWater: 600 },
  );
  t.after(() => ingest.stop().catch(() => {}));
  const b1 = [records('gateway', 1000, { tag: 'a' }), records('client', 600, { tag: 'b' })] as const;
  await send(...b1);
  await waitFor(
    'some stored',
    () => counts(ts.store, ts.db),
    (c) => c.events > 100,
    30_000,
  );

  faulty.down = true;
  const b2 = [records('gateway', 1500, { tag: 'c' }), records('client', 900, { tag: 'd' })] as const;
  await send(...b2);
  const paused = await waitFor(
    'fetching paused',
    async () => (await metrics.paused.get()).values[0]?.value ?? 0,
    (v) => v === 1,
    20_000,
    50,
  );
  assert.equal(paused, 1);
  await sleep(1500);
  faulty.down = false;
  faulty.loseAcks = 5;
  const b3 = [records('gateway', 500, { tag: 'e' }), records('client', 300, { tag: 'f' })] as const;
  await send(...b3);
  await assertExact(ts, ts.store, [...b1, ...b2, ...b3]);
  assert.ok(faulty.failures > 5, `store faults were hit (${faulty.failures})`);
  const errs = (await metrics.storeErrors.get()).values.reduce((n, v) => n + v.value, 0);
  assert.equal(errs, faulty.failures, 'every store failure is counted in faultline_store_errors_total');
  assert.equal((await metrics.paused.get()).values[0]?.value, 0, 'fetching resumed');
  await ingest.stop();
});
