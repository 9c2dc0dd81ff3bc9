// OTLP/protobuf logs on an `otlp_proto` topic (docs/real-inputs.md §1): messages encoded with the
// official definitions (data/otlp/opentelemetry/proto, parsed here by protobufjs's own .proto
// parser, independently of the JSON descriptor transform/ decodes with) give the same outcomes
// as the same message in OTLP/JSON; garbage on such a topic and protobuf on an `auto` topic are
// rejects, never a fault and never an ok event.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { normalizeRecord } from '../../transform/index.ts';
import { normalize } from '../../transform/normalize.ts';
import { RejectSchema, type NormalizeContext } from '../../transform/event.ts';
import { descriptor } from '../../scripts/otlp-descriptor.ts';
import '../support/seed.ts';

const ROOT = fileURLToPath(new URL('../../data/otlp/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_o, target) => ROOT + target;
root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
const Request = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const proto: NormalizeContext = { source: 'client', transportTimeMs: Date.parse('2026-11-22T00:00:00Z'), format: 'otlp_proto' };
const auto: NormalizeContext = { ...proto, format: 'auto' };

const MESSAGE = {
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
      scopeLogs: [
        {
          scope: { name: 'shop.client' },
          logRecords: [
            {
              timeUnixNano: '1795255200123456789',
              severityNumber: 17,
              severityText: 'ERROR',
              traceId: 'W47/95gDgQPSabYzgT/GDA==',
              body: { stringValue: 'create order failed' },
              attributes: [
                { key: 'http.response.status_code', value: { intValue: '429' } },
                { key: 'error.code', value: { stringValue: 'QUOTA_EXCEEDED' } },
                { key: 'request_id', value: { stringValue: 'req_pb1' } },
              ],
            },
            {
              timeUnixNano: '1795255201000000000',
              severityNumber: 9,
              body: {
                kvlistValue: {
                  values: [
                    { key: 'status', value: { intValue: '200' } },
                    { key: 'request_id', value: { stringValue: 'req_pb2' } },
                  ],
                },
              },
            },
          ],
        },
      ],
    },
  ],
};

function encode(obj: unknown): Uint8Array {
  return Request.encode(Request.fromObject(obj as Record<string, unknown>)).finish();
}

describe('OTLP/protobuf', () => {
  it('the committed JSON descriptor is what scripts/otlp-descriptor.ts writes from the .proto files', () => {
    assert.equal(readFileSync(new URL('../../data/otlp/logs-descriptor.json', import.meta.url), 'utf8'), descriptor());
  });

  it('decodes a message into one outcome per log record, as its OTLP/JSON form does', () => {
    const bytes = encode(MESSAGE);
    const out = normalizeRecord(bytes, proto);
    assert.equal(out.length, 2);
    const [a, b] = out;
    assert.ok(a?.ok && b?.ok);
    assert.deepEqual(
      [a.event.request_id, a.event.code, a.event.http_status, a.event.limit_kind, a.event.event_time, a.event.format],
      ['req_pb1', 'QUOTA_EXCEEDED', 429, 'quota', '2026-11-21T10:00:00.123Z', 'otlp-proto/text'],
    );
    assert.ok(a.event.raw.includes('"traceId":"5b8efff798038103d269b633813fc60c"'), a.event.raw);
    assert.deepEqual([b.event.request_id, b.event.outcome, b.event.format], ['req_pb2', 'ok', 'otlp-proto/json']);
    // The same message as OTLP/JSON on an auto topic: the same events but for format and raw.
    const json = normalizeRecord(JSON.stringify(Request.toObject(Request.fromObject(MESSAGE), { longs: String, bytes: String })), auto);
    const strip = (r: (typeof out)[number]) => (r.ok ? { ...r.event, format: '', raw: '' } : r);
    assert.deepEqual(out.map(strip), json.map(strip));
    // Several log records: the single-outcome path says so.
    const one = normalize(bytes, proto);
    assert.ok(!one.ok && one.reject.reason === 'otlp_batch');
  });

  it('garbage on an otlp_proto topic is one reject (invalid_otlp, empty or too_large), never a fault', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const out = normalizeRecord(b, proto);
        for (const r of out) {
          if (r.ok) continue;
          RejectSchema.parse(r.reject);
          assert.ok(!r.reject.detail.startsWith('normalizer fault'), r.reject.detail);
        }
        if (out.length === 1 && !out[0]!.ok)
          assert.ok(['invalid_otlp', 'empty', 'too_large', 'bad_time'].includes(out[0]!.reject.reason), out[0]!.reject.reason);
      }),
      { numRuns: 3000 },
    );
    const bad = normalize(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), proto);
    assert.ok(!bad.ok && bad.reject.reason === 'invalid_otlp', JSON.stringify(bad));
    assert.match(bad.reject.detail, /^not an OTLP\/protobuf ExportLogsServiceRequest: /);
    const big = normalize(new Uint8Array(2 * 1024 * 1024), proto);
    assert.ok(!big.ok && big.reject.reason === 'too_large');
  });

  it('a protobuf message on an auto topic is a reject, never an ok event', () => {
    const r = normalize(encode(MESSAGE), auto);
    assert.equal(r.ok, false, JSON.stringify(r));
  });
});
