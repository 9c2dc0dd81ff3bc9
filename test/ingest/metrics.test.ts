// The /metrics endpoint: Prometheus text of our own registry (several pipelines can live in one
// process), 404 elsewhere; the progress line reads rates from the same counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngestMetrics, serveMetrics, startProgress } from '../../ingest/index.ts';

test('serves the registry at /metrics and nothing else', async (t) => {
  const m = new IngestMetrics();
  m.recordsIn.inc({ topic: 'gw' }, 7);
  m.rejects.inc({ topic: 'gw', reason: 'invalid_json' }, 2);
  m.lag.set({ topic: 'gw', partition: '3' }, 41);
  const server = await serveMetrics(m, 0, '127.0.0.1');
  t.after(() => server.close());
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  assert.match(text, /^faultline_records_in_total\{topic="gw"\} 7$/m);
  assert.match(text, /^faultline_rejects_total\{topic="gw",reason="invalid_json"\} 2$/m);
  assert.match(text, /^faultline_consumer_lag\{topic="gw",partition="3"\} 41$/m);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 404);
  const other = new IngestMetrics();
  assert.deepEqual(await other.totals(), { records: 0, events: 0, rejects: 0 }, 'registries are independent');
});

test('the progress line reports rates, totals, lag and the paused state', async () => {
  const m = new IngestMetrics();
  const lines: string[] = [];
  const p = startProgress(m, () => ({ lag: 1234, buffered: 5000, paused: true }), { everyMs: 60_000, write: (l) => lines.push(l) });
  m.recordsIn.inc({ topic: 'gw' }, 1000);
  m.eventsOut.inc({ topic: 'gw' }, 900);
  m.rejects.inc({ topic: 'gw', reason: 'empty' }, 100);
  await p.stop();
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^ingest: [\d,]+ ev\/s {2}[\d,]+ rec\/s {2}rejects [\d,]+\/s \(total 100\) {2}stored 900 events {2}lag 1,234 {2}buffered 5,000 \(paused: sink behind\)\n$/,
  );
});
