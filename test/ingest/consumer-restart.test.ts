// A consumer kafkajs will not restart itself: a non-retriable protocol error from the group
// coordinator (here INVALID_REQUEST on SyncGroup, which librdkafka's mock cluster answers now and
// then when members join at once) stops kafkajs's consumer for good. faultline restarts it in
// process, with backoff, instead of exiting, and every record is still stored exactly once. An
// error no restart can heal (an authorization refusal) still ends the ingest, naming the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '../../support/broker.ts';
import { IngestMetrics } from '../../ingest/index.ts';
import { records } from './helpers.ts';
import { assertExact, setup, startFastIngest } from './scenario.ts';

/** Kafka protocol error codes (https://kafka.apache.org/protocol#protocol_error_codes). */
const INVALID_REQUEST = 42;
const GROUP_AUTHORIZATION_FAILED = 30;

test('a non-retriable SyncGroup error: the consumer is restarted in process, counts exact', async (t) => {
  const { broker, ts, send } = await setup(t, 'crestart', 1);
  await broker.pushRequestErrors(ApiKey.SyncGroup, [INVALID_REQUEST]);
  const metrics = new IngestMetrics();
  const ingest = await startFastIngest(t, ts, metrics);
  let failed: unknown;
  ingest.done.catch((err: unknown) => (failed = err));
  const batches = [records('gateway', 500, { tag: 'r' }), records('client', 300, { tag: 's' })] as const;
  await send(...batches);
  await assertExact(ts, ts.store, [...batches]);
  assert.equal(failed, undefined, 'the ingest did not end');
  const restarts = (await metrics.registry.getSingleMetric('faultline_kafka_consumer_restarts_total')!.get()).values;
  assert.ok(restarts.reduce((n, v) => n + v.value, 0) >= 1, 'the restart is counted');
  await ingest.stop();
});

test('an error no restart heals (group authorization refused) ends the ingest, naming it', async (t) => {
  const { broker, ts } = await setup(t, 'cauth', 1);
  await broker.pushRequestErrors(ApiKey.SyncGroup, [GROUP_AUTHORIZATION_FAILED]);
  const ingest = await startFastIngest(t, ts);
  await assert.rejects(ingest.done, /authoriz/i);
});
