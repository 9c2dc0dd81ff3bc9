// faultline_records_total{topic,format} (docs/real-inputs.md §4): every stored record counted by
// how it was read, rejects as `reject`, the same whether rows were built in the normalize
// thread or in-thread; and through the file source into a real store (chDB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeRecord as normalize } from '../../transform/index.ts';
import { IngestMetrics, runFile } from '../../ingest/index.ts';
import { silentLogger } from '../../ingest/log.ts';
import { NormalizeThread } from '../../ingest/normalize-thread.ts';
import { PartitionBuffer, type RawMessage } from '../../ingest/partition-buffer.ts';
import { complete } from '../../ingest/segment.ts';
import { testStore } from '../support/stores.ts';

const limits = { maxRecordBytes: 4096, maxDepth: 16, rawMaxBytes: 1024 };
const LINES = [
  '{"ts":"2026-11-21T10:00:00Z","status":429,"error":{"code":"QUOTA_EXCEEDED","request_id":"req_m1"}}',
  JSON.stringify({
    log: '{"ts":"2026-11-21T10:00:01Z","status":502,"error":{"code":"CHANNEL_UPSTREAM_ERROR"}}\n',
    stream: 'stdout',
    time: '2026-11-21T10:00:01Z',
  }),
  '2026-11-21T10:00:02.000000000Z stdout F 2026-11-21T10:00:02Z ERROR shop status=500 request_id=req_m3',
  '{"foo":1,"bar":2}',
  '{"foo":3}',
  'level=info msg=ok request_id=req_m6',
  '{"broken":',
];
const WANT = { json: 1, 'docker/json': 1, 'cri/text': 1, unrecognized: 2, logfmt: 1, reject: 1 };

function msgs(): RawMessage[] {
  return LINES.map((l, i) => ({ offset: String(10 + i), value: Buffer.from(l), timestamp: String(Date.parse('2026-11-21T10:00:00Z')) }));
}

async function formats(thread: NormalizeThread | undefined): Promise<Record<string, number>> {
  const b = new PartitionBuffer('t', 0, 'gateway', normalize, limits, 100, { committed: 10, replay: [], group: null }, thread);
  b.append(msgs());
  const segs = await complete(b.take());
  const out: Record<string, number> = {};
  for (const s of segs) for (const [f, n] of s.formats ?? []) out[f] = (out[f] ?? 0) + n;
  return out;
}

test('segments count their records by format, in-thread and in the normalize thread alike', async () => {
  assert.deepEqual(await formats(undefined), WANT);
  const thread = new NormalizeThread();
  try {
    assert.deepEqual(await formats(thread), WANT);
  } finally {
    await thread.close();
  }
});

test('the file source puts the counts in faultline_records_total once stored', async (t) => {
  const ts = await testStore('recfmt');
  t.after(() => ts.cleanup());
  const path = join(mkdtempSync(join(tmpdir(), 'faultline-fmt-')), 'mixed.log');
  writeFileSync(path, `${LINES.join('\n')}\n`);
  const metrics = new IngestMetrics();
  await runFile({ config: ts.config, store: ts.store, log: silentLogger, metrics }, { path }, 'gateway');
  const text = await metrics.registry.metrics();
  for (const [format, n] of Object.entries(WANT)) {
    assert.match(
      text,
      new RegExp(`^faultline_records_total\\{topic="file:mixed.log",format="${format.replace('/', '\\/')}"\\} ${n}$`, 'm'),
      text,
    );
  }
  const stored = await ts.store.query<{ format: string; n: number }>(
    `SELECT format, count() AS n FROM ${ts.db}.events GROUP BY format ORDER BY format`,
  );
  assert.deepEqual(Object.fromEntries(stored.map((r) => [r.format, Number(r.n)])), {
    'cri/text': 1,
    'docker/json': 1,
    json: 1,
    logfmt: 1,
    unrecognized: 2,
  });
});

test('an otlp_proto topic (FAULTLINE_CLIENT_FORMAT) reads protobuf records, in-thread and in the normalize thread alike', async () => {
  const { loadConfig } = await import('../../lib/config.ts');
  const { limitsOf } = await import('../../ingest/record-rows.ts');
  const protobuf = (await import('protobufjs')).default;
  const root = new protobuf.Root();
  const dir = new URL('../../data/otlp/', import.meta.url).pathname;
  root.resolvePath = (_o, target) => dir + target;
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
  const Req = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  const rec = (n: number) =>
    Buffer.from(
      Req.encode(
        Req.fromObject({
          resourceLogs: [
            {
              scopeLogs: [
                {
                  logRecords: Array.from({ length: n }, (_, i) => ({
                    timeUnixNano: '1795255200000000000',
                    severityText: 'ERROR',
                    body: { stringValue: `status=429 request_id=req_pb${i}` },
                  })),
                },
              ],
            },
          ],
        }),
      ).finish(),
    );
  const config = loadConfig({ FAULTLINE_CLIENT_FORMAT: 'otlp_proto' });
  assert.throws(() => loadConfig({ FAULTLINE_CLIENT_FORMAT: 'protobuf' }), /FAULTLINE_CLIENT_FORMAT/);
  const lim = limitsOf(config);
  const msgs: RawMessage[] = [rec(1), rec(3), Buffer.from('{"status":500}')].map((value, i) => ({
    offset: String(i),
    value,
    timestamp: '1795255200000',
  }));
  for (const thread of [undefined, new NormalizeThread()]) {
    try {
      const b = new PartitionBuffer('cl', 0, 'client', normalize, lim, 100, { committed: 0, replay: [], group: null }, thread);
      b.append(msgs);
      const segs = await complete(b.take());
      const events = segs.map((s) => (typeof s.events.body === 'string' ? s.events.body : s.events.body.toString())).join('');
      const rejects = segs.map((s) => (typeof s.rejects.body === 'string' ? s.rejects.body : s.rejects.body.toString())).join('');
      assert.match(events, /req_pb0/);
      assert.match(events, /otlp-proto\/logfmt/);
      // Three log records in one Kafka record: three events, record_index 0, 1, 2 (the last column).
      const row = (id: string) =>
        events
          .split('\n')
          .find((l) => l.includes(`request_id=${id}`))!
          .split('\t');
      assert.deepEqual(['req_pb0', 'req_pb1', 'req_pb2'].map((id) => row(id).slice(-3).join(' ')).slice(1), ['0 1 1', '0 1 2']);
      // JSON text on a protobuf topic is no OTLP message: a reject, not an event.
      assert.equal(
        segs.reduce((n, s) => n + s.rejects.rows, 0),
        1,
      );
      assert.match(rejects, /invalid_otlp/);
      assert.deepEqual(Object.fromEntries([...(segs[0]!.formats ?? [])]), { 'otlp-proto/logfmt': 4, reject: 1 });
    } finally {
      await thread?.close();
    }
  }
});
