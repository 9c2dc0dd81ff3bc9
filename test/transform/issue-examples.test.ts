// The examples at the top of issue 13 (docs/real-inputs.md), each with the event it now gives.
// Before this change every one of them was read as `ok`, as the wrong code, or timed at ingest.
// Shapes: Docker json-file as Fluent Bit's `docker` parser reads it
// (https://docs.fluentbit.io/manual/data-pipeline/parsers/json), OTLP/JSON
// (https://raw.githubusercontent.com/open-telemetry/opentelemetry-proto/refs/heads/main/examples/logs.json),
// pino's `err` serializer (pino docs/api.md "err"), logstash-logback-encoder's LoggingEvent fields
// with MDC entries as top-level strings (README "Standard Fields", "MDC fields"), zap's production
// JSON encoder (`level`, `ts` epoch seconds, `caller`, `msg`, `error`), Python logging's `asctime`
// (`%(asctime)s` = `2026-11-21 10:00:00,123`, docs.python.org logging "LogRecord attributes").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRecord } from '../../transform/index.ts';
import { normalize } from '../../transform/normalize.ts';
import { EventSchema, type Event, type NormalizeContext } from '../../transform/event.ts';

const T = Date.parse('2026-11-22T00:00:00Z');
const gw: NormalizeContext = { source: 'gateway', transportTimeMs: T };
const cl: NormalizeContext = { source: 'client', transportTimeMs: T };

function one(rec: string, ctx: NormalizeContext): Event {
  const r = normalize(rec, ctx);
  assert.ok(r.ok, `expected an event, got ${JSON.stringify(r)}`);
  return EventSchema.parse(r.event);
}

function pick(e: Event, keys: readonly (keyof Event)[]): Partial<Event> {
  const out: Partial<Event> = {};
  for (const k of keys) (out as Record<string, unknown>)[k] = e[k];
  return out;
}

const KEYS = [
  'event_time',
  'request_id',
  'http_status',
  'outcome',
  'code',
  'category',
  'limit_kind',
  'upstream_vendor',
  'upstream_code',
  'upstream_message',
  'format',
] as const;

/** What each shape of a client's or the gateway's QUOTA_EXCEEDED error must give (KEYS), but for its request id and format. */
const quotaExceeded = (request_id: string, format: string): Partial<Event> => ({
  event_time: '2026-11-21T10:00:00.123Z',
  request_id,
  http_status: 429,
  outcome: 'error',
  code: 'QUOTA_EXCEEDED',
  category: 'RATE_LIMIT_ERROR',
  limit_kind: 'quota',
  upstream_vendor: '',
  upstream_code: '',
  upstream_message: '',
  format,
});

describe('issue 13: real inputs never turn an error into ok', () => {
  it('a gateway QUOTA_EXCEEDED inside a Fluent Bit/Docker envelope is that error, with its request id', () => {
    const inner = JSON.stringify({
      ts: '2026-11-21T10:00:00.123Z',
      status: 429,
      channel: '1688',
      error: { code: 'QUOTA_EXCEEDED', message: 'Daily channel quota exhausted', request_id: 'req_9f2' },
    });
    const rec = JSON.stringify({ log: `${inner}\n`, stream: 'stdout', time: '2026-11-21T10:00:00.124567891Z' });
    assert.deepEqual(pick(one(rec, gw), KEYS), quotaExceeded('req_9f2', 'docker/json'));
  });

  it('an OpenTelemetry Collector message becomes one outcome per log record, in order', () => {
    const msg = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-api' } }] },
          scopeLogs: [
            {
              scope: { name: 'shop.client' },
              logRecords: [
                {
                  timeUnixNano: '1795255200123456789',
                  severityNumber: 17,
                  severityText: 'ERROR',
                  traceId: '5b8efff798038103d269b633813fc60c',
                  body: { stringValue: 'create order failed' },
                  attributes: [
                    { key: 'http.response.status_code', value: { intValue: '429' } },
                    { key: 'error.code', value: { stringValue: 'QUOTA_EXCEEDED' } },
                    { key: 'http.request.header.x-request-id', value: { arrayValue: { values: [{ stringValue: 'req_ot1' }] } } },
                  ],
                },
                {
                  timeUnixNano: '1795255201000000000',
                  severityNumber: 9,
                  body: { stringValue: '2026-11-21T10:00:01.500Z INFO GET /v1/products status=200 request_id=req_ot2' },
                },
                {
                  timeUnixNano: '0',
                  observedTimeUnixNano: '1795255202000000000',
                  severityText: 'ERROR',
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'msg', value: { stringValue: 'vendor call failed' } },
                        {
                          key: 'error_response',
                          value: {
                            kvlistValue: {
                              values: [
                                { key: 'code', value: { intValue: '7' } },
                                { key: 'msg', value: { stringValue: 'App Call Limited' } },
                              ],
                            },
                          },
                        },
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
    const rec = JSON.stringify(msg);
    const out = normalizeRecord(rec, cl);
    assert.equal(out.length, 3);
    const evs = out.map((r) => {
      assert.ok(r.ok, JSON.stringify(r));
      return EventSchema.parse(r.event);
    });
    assert.deepEqual(pick(evs[0]!, KEYS), quotaExceeded('req_ot1', 'otlp-json/text'));
    assert.equal(evs[0]!.message, 'create order failed');
    assert.ok(evs[0]!.raw.includes('5b8efff798038103d269b633813fc60c'), 'traceId kept in raw');
    assert.deepEqual(pick(evs[1]!, ['event_time', 'request_id', 'outcome', 'http_status', 'route', 'format']), {
      event_time: '2026-11-21T10:00:01.500Z',
      request_id: 'req_ot2',
      outcome: 'ok',
      http_status: 200,
      route: '/v1/products',
      format: 'otlp-json/text',
    });
    assert.deepEqual(pick(evs[2]!, ['event_time', 'outcome', 'code', 'category', 'limit_kind', 'upstream_vendor', 'format']), {
      event_time: '2026-11-21T10:00:02.000Z',
      outcome: 'error',
      code: '7',
      category: 'RATE_LIMIT_ERROR',
      limit_kind: 'quota',
      upstream_vendor: 'taobao',
      format: 'otlp-json/json',
    });
    // The single-outcome path (`normalize`; ingest stores every outcome) never makes it one ok event.
    const single = normalize(rec, cl);
    assert.equal(single.ok, false);
    if (!single.ok) {
      assert.equal(single.reject.reason, 'otlp_batch');
      assert.match(single.reject.detail, /3 log records/);
    }
  });

  it('a pino error (`level` 50, `err` with status and code) is that error', () => {
    const rec = JSON.stringify({
      level: 50,
      time: 1795255200123,
      pid: 7,
      hostname: 'shop-1',
      err: {
        type: 'Error',
        message: 'Daily channel quota exhausted',
        stack: 'Error: Daily channel quota exhausted\n    at order.js:10',
        status: 429,
        code: 'QUOTA_EXCEEDED',
      },
      msg: 'create order failed',
    });
    assert.deepEqual(pick(one(rec, cl), KEYS), quotaExceeded('', 'json'));
  });

  it('a logback record with MDC `error.code` and `http.status` (strings) is that error', () => {
    const rec = JSON.stringify({
      '@timestamp': '2026-11-21T18:00:00.123+08:00',
      '@version': '1',
      message: 'create order failed',
      logger_name: 'com.shop.OrderClient',
      thread_name: 'http-nio-8080-exec-1',
      level: 'WARN',
      level_value: 30000,
      'error.code': 'QUOTA_EXCEEDED',
      'http.status': '429',
      request_id: 'req_lb1',
    });
    assert.deepEqual(pick(one(rec, cl), KEYS), quotaExceeded('req_lb1', 'json'));
  });

  it('a zap error string with a catalog code and a vendor summary keeps both (not HTTP_502)', () => {
    const rec = JSON.stringify({
      level: 'error',
      ts: 1795255200.123,
      caller: 'client/order.go:88',
      msg: 'create order failed',
      status: 502,
      request_id: 'req_z1',
      error: 'CHANNEL_UPSTREAM_ERROR: upstream channel failed (taobao 7: App Call Limited)',
    });
    const e = one(rec, cl);
    assert.deepEqual(pick(e, KEYS), {
      event_time: '2026-11-21T10:00:00.123Z',
      request_id: 'req_z1',
      http_status: 502,
      outcome: 'error',
      code: 'CHANNEL_UPSTREAM_ERROR',
      category: 'CHANNEL_ERROR',
      limit_kind: 'quota',
      upstream_vendor: 'taobao',
      upstream_code: '7',
      upstream_message: 'App Call Limited',
      format: 'json',
    });
    assert.equal(e.catalog_drift, false);
  });

  it('a gateway `error.upstream` string "taobao 41: …" fills the vendor columns', () => {
    const rec = JSON.stringify({
      ts: '2026-11-21T10:00:00.123Z',
      status: 502,
      channel: 'taobao',
      error: {
        code: 'CHANNEL_UPSTREAM_ERROR',
        message: 'Upstream channel error',
        request_id: 'req_u1',
        upstream: 'taobao 41: num_iid must be a positive number',
      },
    });
    const e = one(rec, gw);
    assert.deepEqual(pick(e, KEYS), {
      event_time: '2026-11-21T10:00:00.123Z',
      request_id: 'req_u1',
      http_status: 502,
      outcome: 'error',
      code: 'CHANNEL_UPSTREAM_ERROR',
      category: 'CHANNEL_ERROR',
      limit_kind: '',
      upstream_vendor: 'taobao',
      upstream_code: '41',
      upstream_message: 'num_iid must be a positive number',
      format: 'json',
    });
    assert.equal(e.upstream_sub_code, '');
  });

  it('a bare HTTP 429 is a rate limit (RATE_LIMIT_ERROR, limit_kind rate), not a validation error', () => {
    const e = one(JSON.stringify({ ts: '2026-11-21T10:00:00.123Z', status: 429, route: '/v1/products/search', request_id: 'req_b1' }), gw);
    assert.deepEqual(pick(e, ['outcome', 'code', 'category', 'limit_kind', 'http_status']), {
      outcome: 'error',
      code: 'HTTP_429',
      category: 'RATE_LIMIT_ERROR',
      limit_kind: 'rate',
      http_status: 429,
    });
  });

  it("Python's asctime (comma before the milliseconds) is the record's time, as JSON and as a text line", () => {
    const json = one(
      JSON.stringify({
        asctime: '2026-11-21 10:00:00,123',
        name: 'shop.client',
        levelname: 'ERROR',
        message: 'upstream timeout',
        request_id: 'req_py1',
      }),
      cl,
    );
    assert.deepEqual(pick(json, ['event_time', 'outcome', 'code', 'category', 'message', 'format']), {
      event_time: '2026-11-21T10:00:00.123Z',
      outcome: 'error',
      code: 'LOG_ERROR',
      category: 'INTERNAL_ERROR',
      message: 'upstream timeout',
      format: 'json',
    });
    const text = one('2026-11-21 10:00:00,123 ERROR shop.client upstream timeout request_id=req_py2', cl);
    assert.deepEqual(pick(text, ['event_time', 'request_id', 'outcome', 'code', 'format']), {
      event_time: '2026-11-21T10:00:00.123Z',
      request_id: 'req_py2',
      outcome: 'error',
      code: 'LOG_ERROR',
      format: 'text',
    });
  });
});
