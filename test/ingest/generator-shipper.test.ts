// The generator's misconfigured-shipper incident (docs/real-inputs.md §4, issue 13 item 6): from
// 20:00 to 21:00 of the simulated day every client line arrives wrapped in a shape faultline
// cannot read; through the normalizer those records are `unrecognized` (ok events, counted),
// none outside the window is, and the gateway topic is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRecords, incidentsOf } from '../../ingest/generator/index.ts';
import { normalize } from '../../transform/normalize.ts';

test('client records in the misconfigured-shipper hour read as unrecognized, and only those', () => {
  const opts = { count: 40_000, seed: 7, startMs: Date.UTC(2026, 10, 21) } as const;
  const w = incidentsOf(opts).find((i) => i.name === 'misconfigured_shipper')!;
  assert.equal(new Date(w.startMs).toISOString(), '2026-11-21T20:00:00.000Z');
  const tally = { inside: 0, insideUnrec: 0, outsideUnrec: 0, gatewayUnrec: 0 };
  for (const r of generateRecords(opts)) {
    const res = normalize(r.value, { source: r.source, transportTimeMs: r.timestampMs });
    const unrec = res.ok && res.event.format === 'unrecognized';
    if (r.source === 'gateway') tally.gatewayUnrec += Number(unrec);
    else if (r.timestampMs >= w.startMs && r.timestampMs < w.endMs) {
      tally.inside++;
      tally.insideUnrec += Number(unrec);
    } else tally.outsideUnrec += Number(unrec);
  }
  assert.ok(tally.inside > 200, JSON.stringify(tally));
  // A few in the window are the generator's garbage (rejects), never read as anything else.
  assert.ok(tally.insideUnrec / tally.inside > 0.95, JSON.stringify(tally));
  assert.equal(tally.outsideUnrec, 0);
  assert.equal(tally.gatewayUnrec, 0);
});

test('--shippers on: the same records under Docker, CRI and OTLP/JSON envelopes read as the same events', () => {
  const opts = { count: 6000, seed: 3, startMs: Date.UTC(2026, 10, 21), incidents: false } as const;
  const plain = [...generateRecords(opts)];
  const shipped = [...generateRecords({ ...opts, shippers: true })];
  assert.equal(shipped.length, plain.length);
  const formats = new Map<string, number>();
  const KEYS = [
    'event_time',
    'request_id',
    'http_status',
    'outcome',
    'code',
    'category',
    'limit_kind',
    'channel',
    'upstream_vendor',
    'upstream_code',
    'message',
    'route',
  ] as const;
  for (let i = 0; i < plain.length; i++) {
    const a = normalize(plain[i]!.value, { source: plain[i]!.source, transportTimeMs: plain[i]!.timestampMs });
    const b = normalize(shipped[i]!.value, { source: shipped[i]!.source, transportTimeMs: shipped[i]!.timestampMs });
    assert.equal(b.ok, a.ok, `record ${i}: ${shipped[i]!.value.slice(0, 200)}`);
    if (!a.ok || !b.ok) continue;
    formats.set(b.event.format ?? '', (formats.get(b.event.format ?? '') ?? 0) + 1);
    for (const k of KEYS) assert.deepEqual(b.event[k], a.event[k], `record ${i} ${k}: ${shipped[i]!.value.slice(0, 300)}`);
  }
  for (const f of ['docker/json', 'cri/json', 'otlp-json/text', 'otlp-json/logfmt', 'json'])
    assert.ok((formats.get(f) ?? 0) > 20, `${f}: ${JSON.stringify([...formats])}`);
  // Client JSON lines as pino, zap and logstash-logback-encoder write them, read as the same events.
  const layouts = { pino: 0, zap: 0, logback: 0 };
  for (const r of shipped) {
    if (r.source !== 'client' || (!r.value.startsWith('{"level":') && !r.value.includes('"logger_name"'))) continue;
    if (/^\{"level":\d+/.test(r.value)) layouts.pino++;
    else if (r.value.includes('"caller":')) layouts.zap++;
    else if (r.value.includes('"logger_name"')) layouts.logback++;
  }
  for (const [k, n] of Object.entries(layouts)) assert.ok(n > 20, `${k}: ${JSON.stringify(layouts)}`);
});

test('with shippers on (the default of generate and the demo), the misconfigured-shipper hour is still read as unrecognized', () => {
  const opts = { count: 40_000, seed: 7, startMs: Date.UTC(2026, 10, 21), shippers: true } as const;
  const w = incidentsOf(opts).find((i) => i.name === 'misconfigured_shipper')!;
  let inside = 0;
  let unrec = 0;
  for (const r of generateRecords(opts)) {
    if (r.source !== 'client' || r.timestampMs < w.startMs || r.timestampMs >= w.endMs) continue;
    const res = normalize(r.value, { source: r.source, transportTimeMs: r.timestampMs });
    inside++;
    unrec += Number(res.ok && res.event.format === 'unrecognized');
  }
  assert.ok(inside > 200 && unrec / inside > 0.95, `${unrec} of ${inside}`);
});
