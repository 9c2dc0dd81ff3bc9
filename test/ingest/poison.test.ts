// Poison records never stop the stream: lines over 1 MiB, invalid UTF-8, nesting far beyond
// the depth limit, empty and null (tombstone) messages, secrets in garbage. Each becomes a
// reject with its reason, and the valid records around them all become events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '../../support/broker.ts';
import { testStore } from '../support/stores.ts';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { counts, kafkaClient, records, waitFor } from './helpers.ts';

test('1 MiB lines, invalid UTF-8, deep nesting and empty messages become rejects; the valid records around them are stored', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const ts = await testStore('poison', {
    KAFKA_BROKERS: broker.bootstrap,
    KAFKA_GROUP_ID: 'g-poison',
    FAULTLINE_GATEWAY_TOPIC: 'gw-poison',
    FAULTLINE_CLIENT_TOPIC: 'cl-poison',
    FAULTLINE_BATCH_SIZE: 500,
    FAULTLINE_BATCH_MS: 100,
    KAFKA_SESSION_TIMEOUT_MS: 6000,
  });
  t.after(() => ts.cleanup());
  await broker.createTopic('gw-poison', 2);
  await broker.createTopic('cl-poison', 1);

  const big = Buffer.alloc(1024 * 1024 + 10, 0x61);
  big.write('{"request_id":"req_big","status":500,"message":"');
  big.write('"}', big.length - 2);
  const poison: { value: Buffer | null; reason: string }[] = [
    { value: big, reason: 'too_large' },
    { value: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), reason: 'invalid_utf8' },
    { value: Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)), reason: 'too_deep' },
    { value: Buffer.from(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`), reason: 'too_deep' },
    { value: Buffer.from(''), reason: 'empty' },
    { value: null, reason: 'empty' },
    { value: Buffer.from('{"password":"hunter22","sign":"abc", oops'), reason: 'invalid_json' },
  ];
  const valid = records('gateway', 200, { tag: 'pv', garbageEvery10: false }).values;
  const clientValid = records('client', 100, { tag: 'pc', garbageEvery10: false }).values;

  const producer = kafkaClient(broker.bootstrap).producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  // Poison in the middle of each partition's stream: valid before, poison, valid after.
  for (const partition of [0, 1]) {
    await producer.send({
      topic: 'gw-poison',
      messages: valid.slice(partition * 100, partition * 100 + 50).map((value) => ({ value, partition })),
    });
    for (const p of poison) await producer.send({ topic: 'gw-poison', messages: [{ value: p.value, partition }] });
    await producer.send({
      topic: 'gw-poison',
      messages: valid.slice(partition * 100 + 50, partition * 100 + 100).map((value) => ({ value, partition })),
    });
  }
  await producer.send({
    topic: 'cl-poison',
    messages: [{ value: big, partition: 0 }, ...clientValid.map((value) => ({ value, partition: 0 }))],
  });

  const metrics = new IngestMetrics();
  const ingest = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics });
  t.after(() => ingest.stop().catch(() => {}));
  const total = 200 + 2 * poison.length + 1 + 100;
  const c = await waitFor(
    'all records stored',
    () => counts(ts.store, ts.db),
    (x) => x.events + x.rejects >= total,
    60_000,
  );
  await ingest.stop();
  assert.deepEqual(c, { events: 300, rejects: 2 * poison.length + 1, distinct: total });

  const reasons = await ts.store.query<{ reason: string; n: number }>(
    `SELECT reason, count() AS n FROM ${ts.db}.rejects GROUP BY reason ORDER BY reason`,
  );
  const expected = new Map<string, number>();
  for (const p of poison) expected.set(p.reason, (expected.get(p.reason) ?? 0) + 2);
  expected.set('too_large', (expected.get('too_large') ?? 0) + 1);
  assert.deepEqual(
    reasons.map((r) => [r.reason, Number(r.n)]),
    [...expected].sort(([a], [b]) => a.localeCompare(b)),
  );
  // Reject heads are bounded and redacted.
  const [h] = await ts.store.query<{ maxlen: number; leaked: number }>(
    `SELECT max(length(head)) AS maxlen, countIf(head LIKE '%hunter22%') AS leaked FROM ${ts.db}.rejects`,
  );
  assert.ok(Number(h!.maxlen) <= 4096, `head bounded (${h!.maxlen})`);
  assert.equal(Number(h!.leaked), 0, 'no secret in reject heads');
  const text = await metrics.registry.metrics();
  assert.match(text, /faultline_rejects_total\{topic="gw-poison",reason="too_deep"\} 4/);
});
