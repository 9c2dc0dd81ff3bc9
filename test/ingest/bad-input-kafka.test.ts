// Bad input through the Kafka path (issue 13, "Must show"): a truncated OTLP/JSON message, an
// OTLP/protobuf message on an `auto` topic, garbage bytes on an `otlp_proto` topic, a Docker
// envelope nested 10 deep, and an OTLP/JSON message of 100,000 log records, each followed by a
// good record. Every one gives rejects or events with reasons — never a crash, never an `ok`
// event hiding an error, never a stalled partition (the good record behind each is stored and
// every offset committed) — and the 100,000-record message gives a bounded number of rows:
// 10,000 log records read and one too_large reject that stands for the rest (docs/delivery.md,
// "Several rows per record"). Protobuf messages are encoded with the official OTLP definitions
// (data/otlp/opentelemetry/proto) by protobufjs; OTLP/JSON as test/support/otlp-batch.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { startBroker } from '../../support/broker.ts';
import { testStore } from '../support/stores.ts';
import { otlpJsonBatch } from '../support/otlp-batch.ts';
import { mulberry32 } from '../support/seed.ts';
import { IngestMetrics, startKafkaIngest } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { reconcile, reconciled } from '../../sql/ledger.ts';
import { counts, kafkaClient, waitFor } from './helpers.ts';

const root = new protobuf.Root();
const dir = new URL('../../data/otlp/', import.meta.url).pathname;
root.resolvePath = (_o, target) => dir + target;
root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
const Request = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const protoOf = (bodies: string[]): Buffer =>
  Buffer.from(
    Request.encode(
      Request.fromObject({
        resourceLogs: [
          {
            scopeLogs: [
              { logRecords: bodies.map((b) => ({ timeUnixNano: '1795255200000000000', severityText: 'ERROR', body: { stringValue: b } })) },
            ],
          },
        ],
      }),
    ).finish(),
  );

const T = Date.UTC(2026, 10, 21, 10);
const GW = (id: string) => JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 429, error: { code: 'QUOTA_EXCEEDED', request_id: id } });

function docker(line: string, n: number): string {
  let r = line;
  for (let i = 0; i < n; i++) r = JSON.stringify({ log: `${r}\n`, stream: 'stdout', time: '2026-11-21T10:00:00Z' });
  return r;
}

test('bad input through Kafka: rejects or events with reasons, no stalled partition, bounded rows per record', {
  timeout: 120_000,
}, async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const ts = await testStore('badin', {
    KAFKA_BROKERS: broker.bootstrap,
    KAFKA_GROUP_ID: 'g-badin',
    FAULTLINE_GATEWAY_TOPIC: 'gw-badin',
    FAULTLINE_CLIENT_TOPIC: 'cl-badin',
    FAULTLINE_CLIENT_FORMAT: 'otlp_proto',
    FAULTLINE_BATCH_SIZE: 100,
    FAULTLINE_BATCH_MS: 200,
    KAFKA_SESSION_TIMEOUT_MS: 6000,
  });
  t.after(() => ts.cleanup());
  await broker.createTopic('gw-badin', 1);
  await broker.createTopic('cl-badin', 1);

  const huge = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 100_000 }, () => ({})) }] }] });
  const gateway = [
    /* 0 */ otlpJsonBatch([
      { body: GW('req_t1'), timeMs: T },
      { body: GW('req_t2'), timeMs: T },
    ]).slice(0, 150), // truncated OTLP/JSON
    /* 1 */ GW('req_after_truncated'),
    /* 2 */ protoOf([GW('req_pb_auto'), 'status=429 request_id=req_pb_auto2']), // OTLP/protobuf on an auto topic
    /* 3 */ GW('req_after_proto'),
    /* 4 */ docker(GW('req_deep'), 10), // an envelope nested 10 deep
    /* 5 */ GW('req_after_deep'),
    /* 6 */ huge, // 100,000 log records (~300 KB: under the 1 MiB record limit)
    /* 7 */ GW('req_after_huge'),
  ];
  const random = mulberry32(13);
  const garbage = Buffer.from(Array.from({ length: 300 }, () => Math.floor(random() * 256)));
  const client = [
    /* 0 */ garbage, // garbage bytes on an otlp_proto topic
    /* 1 */ protoOf(['status=502 request_id=req_pb1', 'status=429 request_id=req_pb2']),
    /* 2 */ Buffer.from(GW('req_json_on_proto')), // JSON text on an otlp_proto topic
    /* 3 */ protoOf(['status=500 request_id=req_pb3']),
  ];
  const producer = kafkaClient(broker.bootstrap).producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  for (const value of gateway)
    await producer.send({ topic: 'gw-badin', messages: [{ value, partition: 0, timestamp: String(T) }], acks: 1 });
  for (const value of client)
    await producer.send({ topic: 'cl-badin', messages: [{ value, partition: 0, timestamp: String(T) }], acks: 1 });

  const heapBefore = process.memoryUsage().heapUsed;
  const ingest = await startKafkaIngest({ config: ts.config, store: ts.store, log: silentLogger, metrics: new IngestMetrics() });
  const ledger = () => reconcile(ts.store);
  const done = await waitFor(
    'every offset committed and ledgered',
    ledger,
    (r) => r.reduce((n, p) => n + p.records, 0) >= gateway.length + client.length,
    90_000,
    300,
  );
  const heapAfter = process.memoryUsage().heapUsed;
  await ingest.stop();
  for (const p of done) assert.ok(reconciled(p), JSON.stringify(p));

  type Row = { offset: number; record_index: number; kind: string; reason: string; request_id: string; outcome: string };
  const rows = await ts.store.query<Row>(
    // ORDER BY outside the UNION: in ClickHouse it would otherwise sort the last SELECT only.
    `SELECT * FROM (SELECT topic, offset, record_index, 'event' AS kind, '' AS reason, request_id, outcome FROM ${ts.db}.events
     UNION ALL SELECT topic, offset, record_index, 'reject' AS kind, reason, '' AS request_id, '' AS outcome FROM ${ts.db}.rejects)
     ORDER BY topic, offset, record_index`,
  );
  const at = (topic: string, offset: number) =>
    rows.filter((r) => (r as Row & { topic: string }).topic === topic && Number(r.offset) === offset);
  const one = (topic: string, offset: number) => {
    const r = at(topic, offset);
    assert.equal(r.length, 1, `${topic}@${offset}: ${JSON.stringify(r)}`);
    return r[0]!;
  };

  // The truncated OTLP/JSON message: one reject, and the record behind it is read.
  assert.deepEqual([one('gw-badin', 0).kind, one('gw-badin', 0).reason], ['reject', 'invalid_json']);
  // Protobuf on an auto topic: rejects only (its bytes are no JSON or text line), never an ok event.
  assert.ok(at('gw-badin', 2).length >= 1 && at('gw-badin', 2).every((r) => r.kind === 'reject'), JSON.stringify(at('gw-badin', 2)));
  // Ten nested envelopes: a too_deep reject, not an ok event read from the 4th envelope.
  assert.deepEqual([one('gw-badin', 4).kind, one('gw-badin', 4).reason], ['reject', 'too_deep']);
  // 100,000 log records: 10,000 rows read (record_index 0–9,999) and one too_large reject at 10,000.
  const big = at('gw-badin', 6);
  assert.equal(big.length, 10_001);
  assert.deepEqual(
    big.map((r) => Number(r.record_index)),
    Array.from({ length: 10_001 }, (_, i) => i),
  );
  assert.deepEqual([big.at(-1)!.kind, big.at(-1)!.reason], ['reject', 'too_large']);
  // The good record behind each bad one: stored, as the error it is.
  for (const [o, id] of [
    [1, 'req_after_truncated'],
    [3, 'req_after_proto'],
    [5, 'req_after_deep'],
    [7, 'req_after_huge'],
  ] as const) {
    assert.deepEqual([one('gw-badin', o).request_id, one('gw-badin', o).outcome], [id, 'error']);
  }
  // Garbage bytes and JSON text on the otlp_proto topic: one reject each (never a fault); the OTLP messages: one event per log record.
  assert.equal(one('cl-badin', 0).kind, 'reject');
  assert.match(one('cl-badin', 0).reason, /^(invalid_otlp|empty)$/);
  assert.deepEqual([one('cl-badin', 2).kind, one('cl-badin', 2).reason], ['reject', 'invalid_otlp']);
  assert.deepEqual(
    at('cl-badin', 1).map((r) => [r.kind, Number(r.record_index), r.request_id]),
    [
      ['event', 0, 'req_pb1'],
      ['event', 1, 'req_pb2'],
    ],
  );
  assert.equal(one('cl-badin', 3).request_id, 'req_pb3');
  // No bad record became an ok event.
  const bad = [...[0, 2, 4].flatMap((o) => at('gw-badin', o)), ...[0, 2].flatMap((o) => at('cl-badin', o))];
  assert.ok(bad.every((r) => r.kind === 'reject'));
  const c = await counts(ts.store, ts.db);
  assert.equal(c.distinct, c.events + c.rejects, 'no row twice');
  t.diagnostic(
    `rows: ${c.events} events + ${c.rejects} rejects from ${gateway.length + client.length} records; heap ` +
      `${(heapBefore / 2 ** 20).toFixed(0)} -> ${(heapAfter / 2 ** 20).toFixed(0)} MiB`,
  );
});
