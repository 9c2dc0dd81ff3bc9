// The golden fixtures of docs/real-inputs.md (test/fixtures/normalize/envelopes.jsonl and
// libraries.jsonl) through the Kafka path: produced to the mock broker as the shippers would
// (Kafka message timestamp = the fixture's transport time), consumed by the pipeline into chDB;
// each stored row equals what normalize gives the record, format included, and the fixture's
// expected fields hold. An OTLP/JSON message of several log records is stored as one event per
// log record, with its record_index; the per-format counter counts every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBroker } from '../../support/broker.ts';
import { testStore } from '../support/stores.ts';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { normalizeRecord } from '../../transform/index.ts';
import { normalize } from '../../transform/normalize.ts';
import { counts, kafkaClient, storedRecords, waitFor } from './helpers.ts';

interface Fixture {
  name: string;
  source: 'gateway' | 'client';
  record: unknown;
  transport_time: string;
  expected: Record<string, unknown>;
}

const META = new Set(['rejected', 'reason', 'head', 'must_not_contain', 'raw_contains']);

function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const f of ['envelopes.jsonl', 'libraries.jsonl']) {
    for (const line of readFileSync(new URL(`../fixtures/normalize/${f}`, import.meta.url), 'utf8').split('\n')) {
      if (line.trim() !== '') out.push(JSON.parse(line) as Fixture);
    }
  }
  return out;
}

const OTLP = JSON.stringify({
  resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' } }, { body: { stringValue: 'b' } }] }] }],
});
const COLS =
  'event_time, source, request_id, http_status, outcome, code, category, limit_kind, channel, upstream_vendor, upstream_code, ' +
  'upstream_sub_code, upstream_message, message, route, method, latency_ms, attempt, app_id, catalog_drift, raw, format';

test('real-input fixtures through Kafka: stored rows equal normalize, fixture expectations hold', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const ts = await testStore('realkafka', {
    KAFKA_BROKERS: broker.bootstrap,
    KAFKA_GROUP_ID: 'g-real',
    FAULTLINE_GATEWAY_TOPIC: 'gw-real',
    FAULTLINE_CLIENT_TOPIC: 'cl-real',
    FAULTLINE_BATCH_SIZE: 50,
    FAULTLINE_BATCH_MS: 200,
    KAFKA_SESSION_TIMEOUT_MS: 6000,
  });
  t.after(() => ts.cleanup());
  await broker.createTopic('gw-real', 1);
  await broker.createTopic('cl-real', 1);
  const fx = fixtures();
  const topic = (s: Fixture['source']) => (s === 'gateway' ? 'gw-real' : 'cl-real');
  const producer = kafkaClient(broker.bootstrap).producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  // One message at a time per topic, so offsets follow fixture order.
  const offsets = new Map<string, number>();
  const at: { fx: Fixture; topic: string; offset: number }[] = [];
  for (const f of fx) {
    const tp = topic(f.source);
    const value = typeof f.record === 'string' ? f.record : JSON.stringify(f.record);
    await producer.send({ topic: tp, messages: [{ value, partition: 0, timestamp: String(Date.parse(f.transport_time)) }], acks: 1 });
    const o = offsets.get(tp) ?? 0;
    at.push({ fx: f, topic: tp, offset: o });
    offsets.set(tp, o + 1);
  }
  await producer.send({ topic: 'cl-real', messages: [{ value: OTLP, partition: 0 }], acks: 1 });

  const metrics = new IngestMetrics();
  const ingest = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics });
  const rows = fx.length + 2;
  await waitFor(
    'all records stored',
    () => counts(ts.store, ts.db),
    (c) => c.events + c.rejects >= rows,
    60_000,
  );
  await ingest.stop();
  const c = await counts(ts.store, ts.db);
  assert.deepEqual(c, { events: rows, rejects: 0, distinct: rows });
  assert.equal(await storedRecords(ts.store, ts.db), fx.length + 1);

  for (const { fx: f, topic: tp, offset } of at) {
    const [row] = await ts.store.query<Record<string, unknown>>(
      `SELECT ${COLS} FROM ${ts.db}.events WHERE topic = {t:String} AND offset = {o:Int64}`,
      { t: tp, o: String(offset) },
    );
    assert.ok(row, `${f.name}: stored`);
    const r = normalize(typeof f.record === 'string' ? f.record : JSON.stringify(f.record), {
      source: f.source,
      transportTimeMs: Date.parse(f.transport_time),
    });
    assert.ok(r.ok, f.name);
    const { failed_offers: _fo, ...want } = r.event;
    assert.deepEqual(row, want, f.name);
    for (const [k, v] of Object.entries(f.expected))
      if (!META.has(k)) assert.deepEqual((row as Record<string, unknown>)[k], v, `${f.name}: ${k}`);
  }
  // The OTLP message: its two log records, in order, each the event normalizeRecord gives it.
  const otlp = await ts.store.query<Record<string, unknown>>(
    `SELECT ${COLS}, record_index FROM ${ts.db}.events WHERE topic = 'cl-real' AND offset = {o:Int64} ORDER BY record_index`,
    { o: String(offsets.get('cl-real') ?? 0) },
  );
  const want = normalizeRecord(OTLP, { source: 'client', transportTimeMs: 0 }).map((r, i) => {
    assert.ok(r.ok);
    const { failed_offers: _fo, event_time: _t, ...e } = r.event;
    return { ...e, record_index: i };
  });
  assert.deepEqual(
    otlp.map(({ event_time: _t, ...r }) => r),
    want,
  );
  const text = await metrics.registry.metrics();
  assert.match(text, /^faultline_records_total\{topic="cl-real",format="otlp-json\/text"\} 2$/m);
  assert.match(text, /^faultline_records_total\{topic="gw-real",format="docker\/json"\} \d+$/m);
});
