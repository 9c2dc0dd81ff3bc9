// OTLP/JSON logs (docs/real-inputs.md §1 "One record, several events"): one outcome per log record,
// in order; bad messages give rejects with reasons, never a crash. The first message is
// opentelemetry-proto's own example (examples/logs.json,
// https://raw.githubusercontent.com/open-telemetry/opentelemetry-proto/refs/heads/main/examples/logs.json),
// with the time moved to a fixed 2026 date.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRecord } from '../../transform/index.ts';
import { normalize } from '../../transform/normalize.ts';
import { EventSchema, RejectSchema, type NormalizeContext } from '../../transform/event.ts';

const ctx: NormalizeContext = { source: 'client', transportTimeMs: Date.parse('2026-11-22T00:00:00Z') };
const NS = '1795255200300000000'; // 2026-11-21T10:00:00.300Z

const EXAMPLE = {
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
      scopeLogs: [
        {
          scope: {
            name: 'my.library',
            version: '1.0.0',
            attributes: [{ key: 'my.scope.attribute', value: { stringValue: 'some scope attribute' } }],
          },
          logRecords: [
            {
              timeUnixNano: NS,
              observedTimeUnixNano: NS,
              severityNumber: 10,
              severityText: 'Information',
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'EEE19B7EC3C1B174',
              body: { stringValue: 'Example log record' },
              attributes: [
                { key: 'string.attribute', value: { stringValue: 'some string' } },
                { key: 'boolean.attribute', value: { boolValue: true } },
                { key: 'int.attribute', value: { intValue: '10' } },
                { key: 'double.attribute', value: { doubleValue: 637.704 } },
                { key: 'array.attribute', value: { arrayValue: { values: [{ stringValue: 'many' }, { stringValue: 'values' }] } } },
                {
                  key: 'map.attribute',
                  value: { kvlistValue: { values: [{ key: 'some.map.key', value: { stringValue: 'some value' } }] } },
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

function logs(records: unknown[], resource: unknown[] = []): string {
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: {}, logRecords: records }] }] });
}

describe('OTLP/JSON logs', () => {
  it("reads the project's own example: a prose body at Information severity is an ok event timed by timeUnixNano", () => {
    const out = normalizeRecord(JSON.stringify(EXAMPLE), ctx);
    assert.equal(out.length, 1);
    const r = out[0]!;
    assert.ok(r.ok);
    const e = EventSchema.parse(r.event);
    assert.equal(e.event_time, '2026-11-21T10:00:00.300Z');
    assert.equal(e.outcome, 'ok');
    assert.equal(e.message, 'Example log record');
    assert.equal(e.format, 'otlp-json/text');
    assert.ok(e.raw.includes('5B8EFFF798038103D269B633813FC60C'));
    // One log record: the single-outcome path gives the same event.
    assert.deepEqual(normalize(JSON.stringify(EXAMPLE), ctx), r);
  });

  it('takes body fields over attributes, attributes over resource attributes; timeUnixNano 0 falls back to observedTimeUnixNano', () => {
    const rec = logs(
      [
        {
          timeUnixNano: '0',
          observedTimeUnixNano: '1795255201000000000',
          severityText: 'WARN',
          body: { kvlistValue: { values: [{ key: 'request_id', value: { stringValue: 'req_body' } }] } },
          attributes: [
            { key: 'request_id', value: { stringValue: 'req_attr' } },
            { key: 'channel', value: { stringValue: 'taobao' } },
          ],
        },
      ],
      [
        { key: 'channel', value: { stringValue: 'res-channel' } },
        { key: 'app_id', value: { stringValue: 'app_9' } },
      ],
    );
    const [r] = normalizeRecord(rec, ctx);
    assert.ok(r?.ok);
    assert.equal(r.event.request_id, 'req_body');
    assert.equal(r.event.channel, 'taobao');
    assert.equal(r.event.app_id, 'app_9');
    assert.equal(r.event.event_time, '2026-11-21T10:00:01.000Z');
    assert.equal(r.event.format, 'otlp-json/json');
  });

  it('an error severity with no status is an error; a record whose body cannot become an event is a reject with its index', () => {
    const rec = logs([
      {
        timeUnixNano: NS,
        severityNumber: 17,
        body: { stringValue: 'payment worker crashed' },
        attributes: [
          { key: 'exception.type', value: { stringValue: 'java.net.SocketTimeoutException' } },
          { key: 'exception.message', value: { stringValue: 'Read timed out' } },
        ],
      },
      { timeUnixNano: NS, body: { stringValue: '{"status": 500, "error": ' } },
      { timeUnixNano: NS, severityText: 'INFO', body: { stringValue: 'ok line' } },
    ]);
    const out = normalizeRecord(rec, ctx);
    assert.equal(out.length, 3);
    const [a, b, c] = out;
    assert.ok(a?.ok && a.event.outcome === 'error' && a.event.code === 'java.net.SocketTimeoutException', JSON.stringify(a));
    assert.ok(b !== undefined && !b.ok);
    RejectSchema.parse(b.reject);
    assert.equal(b.reject.reason, 'invalid_json');
    assert.match(b.reject.detail, /^log record 1: /);
    assert.ok(c?.ok && c.event.outcome === 'ok');
    const single = normalize(rec, ctx);
    assert.ok(!single.ok && single.reject.reason === 'otlp_batch');
  });

  it('bad messages: truncated JSON, no log records, not OTLP at all', () => {
    const truncated = JSON.stringify(EXAMPLE).slice(0, 200);
    const t = normalizeRecord(truncated, ctx);
    assert.equal(t.length, 1);
    assert.ok(!t[0]!.ok && t[0]!.reject.reason === 'invalid_json');
    const empty = normalizeRecord('{"resourceLogs":[{"scopeLogs":[{"logRecords":[]}]}]}', ctx);
    assert.ok(empty.length === 1 && !empty[0]!.ok && empty[0]!.reject.reason === 'empty');
    const odd = normalizeRecord('{"resourceLogs":[1,"x",{"scopeLogs":[null,{"logRecords":[7,{"body":{"intValue":"12"}}]}]}]}', ctx);
    assert.equal(odd.length, 2);
    for (const r of odd) if (r.ok) EventSchema.parse(r.event);
  });

  it('a message of 100,000 log records: the first 10,000 read, the rest one too_large reject that says so, in linear time', () => {
    const one = { severityText: 'ERROR', body: { stringValue: 'x' } };
    const rec = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 100_000 }, () => one) }] }] });
    assert.ok(Buffer.byteLength(rec) < 8 * 1024 * 1024, String(Buffer.byteLength(rec)));
    const t0 = performance.now();
    const out = normalizeRecord(rec, { ...ctx, maxRecordBytes: 8 * 1024 * 1024 });
    const ms = performance.now() - t0;
    // Outcomes per Kafka record are bounded (MAX_LOG_RECORDS_PER_MESSAGE), so its rows in memory are too.
    assert.equal(out.length, 10_001);
    assert.ok(out.slice(0, 10_000).every((r) => r.ok && r.event.code === 'LOG_ERROR'));
    const last = out[10_000]!;
    assert.ok(!last.ok && last.reject.reason === 'too_large', JSON.stringify(last));
    assert.match(last.reject.detail, /100000 log records, over the limit of 10000 per message: log records 10000-99999 were not read/);
    assert.ok(ms < 15_000, `${ms.toFixed(0)} ms`);
    // Under the default 1 MiB limit the same message is one too_large reject: the size limit bounds
    // how many log records (and outcomes) one Kafka record can hold.
    const r = normalizeRecord(rec, ctx);
    assert.ok(r.length === 1 && !r[0]!.ok && r[0]!.reject.reason === 'too_large');
  });
});
