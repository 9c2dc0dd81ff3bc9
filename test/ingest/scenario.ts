// The common frame of the fault tests: a broker (the mock, or any broker of the test bed) with
// two 4-partition topics, a fresh chDB database, a producer, and the final check that every
// record is stored exactly once: each of its rows (offset, record_index) once.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '../../support/broker.ts';
import type { TestBed } from '../../support/test-broker.ts';
import { testStore, type TestStore } from '../support/stores.ts';
import { reconcile, reconciled } from '../../sql/ledger.ts';
import type { Store } from '../../sql/store.ts';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { counts, kafkaClient, produce, rowsOf, sleep, storedRecords, waitFor, type Batch } from './helpers.ts';

export const FAST_BACKOFF = { initialMs: 50, maxMs: 400, permanentAttempts: 3 };

/** A Kafka ingest on the scenario's store, retrying fast, stopped when the test ends. */
export async function startFastIngest(t: TestContext, ts: TestStore, metrics = new IngestMetrics()) {
  const ingest = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics, backoff: FAST_BACKOFF });
  t.after(() => ingest.stop().catch(() => {}));
  return ingest;
}

/** On a mock cluster of its own (`brokers` nodes), for the tests that inject faults into it. */
export async function setup(t: TestContext, name: string, brokers = 1) {
  const broker = await startBroker({ brokers });
  t.after(() => broker.stop());
  return { broker, ...(await frame(t, name, broker)) };
}

/** On a broker of the test bed shared by the test file (topics and group named for the test). */
export async function setupOn(t: TestContext, name: string, bed: TestBed) {
  return { broker: bed, ...(await frame(t, name, bed)) };
}

async function frame(t: TestContext, name: string, broker: Pick<TestBed, 'bootstrap' | 'createTopic'>) {
  const ts = await testStore(name, {
    KAFKA_BROKERS: broker.bootstrap,
    KAFKA_GROUP_ID: `g-${name}`,
    FAULTLINE_GATEWAY_TOPIC: `gw-${name}`,
    FAULTLINE_CLIENT_TOPIC: `cl-${name}`,
    FAULTLINE_BATCH_SIZE: 1000,
    FAULTLINE_BATCH_MS: 150,
    KAFKA_SESSION_TIMEOUT_MS: 3000,
  });
  t.after(() => ts.cleanup());
  await broker.createTopic(`gw-${name}`, 4);
  await broker.createTopic(`cl-${name}`, 4);
  const producer = kafkaClient(broker.bootstrap).producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const send = async (gw: Batch, cl: Batch) => {
    await produce(producer, `gw-${name}`, gw.values, 4);
    await produce(producer, `cl-${name}`, cl.values, 4);
  };
  return { ts, send };
}

export async function assertExact(ts: TestStore, store: Store, batches: Batch[]): Promise<void> {
  const total = batches.reduce((n, b) => n + rowsOf(b), 0);
  const valid = batches.reduce((n, b) => n + b.valid, 0);
  const c = await waitFor(
    'every record stored',
    () => counts(store, ts.db),
    (x) => x.events + x.rejects >= total,
    60_000,
  );
  await sleep(300);
  assert.deepEqual(await counts(store, ts.db), c, 'nothing more arrives');
  assert.deepEqual(c, { events: valid, rejects: total - valid, distinct: total });
  assert.equal(
    await storedRecords(store, ts.db),
    batches.reduce((n, b) => n + b.values.length, 0),
    'every Kafka record has its rows',
  );
  for (const p of await reconcile(store)) assert.ok(reconciled(p), `${p.topic}/${p.partition} reconciles: ${JSON.stringify(p)}`);
  const [roll] = await store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${ts.db}.events_1m`);
  assert.equal(Number(roll!.n), valid, 'rollups count each event once');
}
