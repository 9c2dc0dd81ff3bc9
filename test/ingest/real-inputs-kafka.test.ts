// The golden fixtures of docs/real-inputs.md (test/fixtures/normalize/envelopes.jsonl and
// libraries.jsonl) through the Kafka path: produced to the mock broker as the shippers would
// (Kafka message timestamp = the fixture's transport time), consumed by the pipeline into chDB;
// each stored row equals what normalize gives the record, format included, and the fixture's
// expected fields hold. An OTLP/JSON message of several log records is stored as one reject
// (otlp_batch) until per-record delivery lands; the per-format counter counts them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBroker } from '../../support/broker.ts';
import { testStore } from '../support/stores.ts';
import { IngestMetrics, silentLogger, startKafkaIngest } from '../../ingest/index.ts';
import { normalize } from '../../transform/index.ts';
import { counts, kafkaClient, waitFor } from './helpers.ts';

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

const OTLP = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' } }, { body: { stringValue: 'b' } }] }] }] });
const COLS = 'event_time, source, request_id, http_status, outcome, code, category, limit_kind, channel, upstream_vendor, upstream_code, upstream_sub_code, upstream_message, message, route, method, latency_ms, attempt, app_id, catalog_drift, raw, format';

test('real-input fixtures through Kafka: stored rows equal normalize, fixture expectations hold', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const ts = await testStore('realkafka', {
    KAFKA_BROKERS: broker.bootstrap, KAFKA_GROUP_ID: 'g-real', FAULTLINE_GATEWAY_TOPIC: 'gw-real', FAULTLINE_CLIENT_TOPIC: 'cl-real',
    FAULTLINE_BATCH_SIZE: 50, FAULTLINE_BATCH_MS: 200, KAFKA_SESSION_TIMEOUT_MS: 6000,
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
  const total = fx.length + 1;
  await waitFor('all records stored', () => counts(ts.store, ts.db), (c) => c.events + c.rejects >= total, 60_000);
  await ingest.stop();
  const c = await counts(ts.store, ts.db);
  assert.deepEqual(c, { events: fx.length, rejects: 1, distinct: total });

  for (const { fx: f, topic: tp, offset } of at) {
    const [row] = await ts.store.query<Record<string, unknown>>(`SELECT ${COLS} FROM ${ts.db}.events WHERE topic = {t:String} AND offset = {o:Int64}`, { t: tp, o: String(offset) });
    assert.ok(row, `${f.name}: stored`);
    const r = normalize(typeof f.record === 'string' ? f.record : JSON.stringify(f.record), { source: f.source, transportTimeMs: Date.parse(f.transport_time) });
    assert.ok(r.ok, f.name);
    const { failed_offers: _fo, ...want } = r.event;
    assert.deepEqual(row, want, f.name);
    for (const [k, v] of Object.entries(f.expected)) if (!META.has(k)) assert.deepEqual((row as Record<string, unknown>)[k], v, `${f.name}: ${k}`);
  }
  const [rj] = await ts.store.query<{ reason: string; detail: string }>(`SELECT reason, detail FROM ${ts.db}.rejects`);
  assert.equal(rj?.reason, 'otlp_batch');
  assert.match(rj?.detail ?? '', /2 log records/);
  const text = await metrics.registry.metrics();
  assert.match(text, /^faultline_records_total\{topic="cl-real",format="reject"\} 1$/m);
  assert.match(text, /^faultline_records_total\{topic="gw-real",format="docker\/json"\} \d+$/m);
});
