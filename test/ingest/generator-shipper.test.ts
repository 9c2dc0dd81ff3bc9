// The generator's misconfigured-shipper incident (docs/real-inputs.md §4, issue 13 item 6): from
// 20:00 to 21:00 of the simulated day every client line arrives wrapped in a shape faultline
// cannot read; through the normalizer those records are `unrecognized` (ok events, counted),
// none outside the window is, and the gateway topic is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRecords, incidentsOf } from '../../ingest/generator/index.ts';
import { normalize } from '../../transform/index.ts';

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
