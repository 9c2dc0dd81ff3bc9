// Kafka faults while consuming: injected fetch and commit errors, a broker down and up;
// consumption resumes and every record is stored exactly once.
import { test } from 'node:test';
import { ApiKey, KafkaErr } from '../../support/broker.ts';
import { counts, records, sleep, waitFor } from './helpers.ts';
import { assertExact, setup, startFastIngest } from './scenario.ts';

test('a broker down and up, and injected fetch/commit errors: consumption resumes, counts exact', async (t) => {
  const { broker, ts, send } = await setup(t, 'bkdown', 3);
  const t0 = Date.now();
  const at = (what: string) => t.diagnostic(`${what} at ${Date.now() - t0} ms`);
  const ingest = await startFastIngest(t, ts);
  const b1 = [records('gateway', 800, { tag: 'a' }), records('client', 500, { tag: 'b' })] as const;
  await send(...b1);
  await waitFor(
    'first batch stored',
    () => counts(ts.store, ts.db),
    (c) => c.events + c.rejects >= 1300,
    30_000,
  );
  at('first batch stored');

  await broker.pushRequestErrors(ApiKey.OffsetCommit, [
    KafkaErr.REQUEST_TIMED_OUT,
    KafkaErr.COORDINATOR_NOT_AVAILABLE,
    KafkaErr.NOT_COORDINATOR,
  ]);
  await broker.pushRequestErrors(ApiKey.Fetch, [KafkaErr.NOT_LEADER_FOR_PARTITION, KafkaErr.REQUEST_TIMED_OUT]);
  const b2 = [records('gateway', 600, { tag: 'c' }), records('client', 400, { tag: 'd' })] as const;
  await send(...b2);
  await waitFor(
    'second batch stored',
    () => counts(ts.store, ts.db),
    (c) => c.events + c.rejects >= 2300,
    30_000,
  );
  at('second batch stored');

  await broker.brokerDown(2);
  await sleep(2500);
  await broker.brokerUp(2);
  const b3 = [records('gateway', 700, { tag: 'e' }), records('client', 300, { tag: 'f' })] as const;
  await send(...b3);
  at('third batch sent');
  await assertExact(ts, ts.store, [...b1, ...b2, ...b3]);
  at('exact');
  await ingest.stop();
});
